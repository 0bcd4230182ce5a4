import Foundation
import GlooAPI
import Testing

@testable import Translator

/// Golden files: each folder under Golden/ holds an `input/` KV tree; translating it must give
/// exactly `<group>.json` per proxy and `reports.txt` (problems, then each HTTP chain's route mode). Run with `UPDATE_GOLDEN=1` to rewrite them
/// (then review the diff: golden files are checked again by e2e/test_golden_envoy.py with the
/// official Envoy types, proto-validate and `envoy --mode validate`).
@Suite struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    static let cases = (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? []

    /// The snapshot of one case's `input/` tree.
    static func snapshot(_ name: String) async throws -> ApiSnapshot {
        let store = DirectoryStore(directory: "\(directory)/\(name)/input")
        var decoder = KVTreeDecoder()
        let listing = decoder.decode(try await store.entries(prefix: "gloo/"))
        // A fixed clock: certificate checks compare against the snapshot's time.
        return ApiSnapshot(resources: listing.resources, findings: listing.findings, takenAt: 1_798_761_600)
    }

    static func translate(_ name: String) async throws -> (outputs: [String: String], reports: String) {
        let result = Translator().translate(try await snapshot(name))
        var outputs: [String: String] = [:]
        for proxy in result.proxies { outputs["\(proxy.group).json"] = try proxy.envoy.jsonText() }
        let reports = result.reports.problems.map { report in
            "\(report.state.rawValue) \(report.key)\n" + (report.errors + report.warnings).map { "  \($0)\n" }.joined()
        }.joined()
        let modes = result.proxies.flatMap { proxy in
            proxy.routeModes.map { "mode \(proxy.group) \($0.routeConfiguration): \($0.mode.rawValue) (\($0.reason))\n" }
        }.joined()
        return (outputs, reports + modes)
    }

    @Test(arguments: cases)
    func golden(_ name: String) async throws {
        let (outputs, reports) = try await Self.translate(name)
        let again = try await Self.translate(name)
        #expect(outputs == again.outputs && reports == again.reports, "translation is deterministic")
        let folder = "\(Self.directory)/\(name)"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            for file in (try FileManager.default.contentsOfDirectory(atPath: folder)) where file.hasSuffix(".json") {
                try FileManager.default.removeItem(atPath: "\(folder)/\(file)")
            }
            for (file, text) in outputs { try text.write(toFile: "\(folder)/\(file)", atomically: true, encoding: .utf8) }
            try reports.write(toFile: "\(folder)/reports.txt", atomically: true, encoding: .utf8)
            return
        }
        let expectedFiles = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(outputs.keys.sorted() == expectedFiles, "one golden file per proxy")
        for file in expectedFiles {
            let expected = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
            #expect(outputs[file] == expected, "\(name)/\(file) differs from the golden file")
        }
        let expectedReports = (try? String(contentsOfFile: "\(folder)/reports.txt", encoding: .utf8)) ?? ""
        #expect(reports == expectedReports, "\(name)/reports.txt differs")
    }
}
