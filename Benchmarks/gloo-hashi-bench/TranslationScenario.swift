import Controller
import GlooAPI
import Translator
import XDS

/// Scenario 1: full translation, and re-translation after one VirtualService edit (incremental).
enum TranslationScenario {
    static func run(_ size: ScaleGenerator.Size, fullRuns: Int, edits: Int) throws -> (rows: [BenchmarkRow], snapshot: XDSSnapshot) {
        var snapshot = ScaleGenerator.snapshot(size)
        let translator = Translator()
        var result: TranslationResult?
        var full: [Double] = []
        for _ in 0..<fullRuns {
            full.append(Measurement.time { result = translator.translate(snapshot) })
        }
        var xdsSnapshot: XDSSnapshot?
        let serialize = try Measurement.time {
            xdsSnapshot = try result!.proxies[0].envoy.xdsSnapshot()
        }
        let cache = TranslationCache()
        let previousResources = translator.translate(snapshot, cache: cache).proxies[0].envoy
        var random = ScaleGenerator.Random(state: 7)
        var incremental: [Double] = []
        var publishes: [Double] = []
        var previous = try previousResources.xdsSnapshot()
        for edit in 1...edits {
            let index = Int.random(in: 0..<size.virtualServices, using: &random)
            snapshot.resources.virtualServices[index] = ScaleGenerator.service(index, size: size, random: &random, generation: edit)
            var edited: TranslationResult?
            incremental.append(Measurement.time { edited = translator.translate(snapshot, cache: cache) })
            // As the controller publishes: the translator's account names what to rebuild.
            let proxy = edited!.proxies[0]
            publishes.append(try Measurement.time {
                previous = try proxy.envoy.xdsSnapshot(reusing: previous, account: proxy.reuse)
            })
        }
        let counts = xdsSnapshot!.counts
        let resources = "CDS \(counts[.cluster] ?? 0), EDS \(counts[.endpoint] ?? 0), LDS \(counts[.listener] ?? 0), RDS \(counts[.route] ?? 0)"
        return ([
            BenchmarkRow(scenario: "full translation", size: size.description, samples: full, note: resources),
            BenchmarkRow(scenario: "serialize snapshot (full)", size: size.description, samples: [serialize]),
            BenchmarkRow(scenario: "re-translate after 1 VS edit", size: size.description, samples: incremental,
                         note: "\(edits) edits, incremental"),
            BenchmarkRow(scenario: "snapshot after edit", size: size.description, samples: publishes,
                         note: "xDS snapshot from the edited translation, reusing the previous one"),
        ], xdsSnapshot!)
    }
}
