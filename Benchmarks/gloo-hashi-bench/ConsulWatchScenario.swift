import ConsulStore
import Foundation
import GlooAPI
import HashiTestServers

/// Issue 8's watch measurement: the generated configuration (without endpoints) in the Consul
/// test server, `ConsulKVStore`'s watch decoding it, then single-VirtualService edits timed from
/// the PUT until the decoded listing has them. Also what each strategy would transfer per change:
/// one recursive watch of the tree, a watch of the VirtualService kind, keys-then-get (the key
/// listing plus one value), and the watch in parts the store uses at this size (`KVWatchPlan`:
/// the changed part plus the key listing).
enum ConsulWatchScenario {
    static func run(_ size: ScaleGenerator.Size, edits: Int) async throws -> [BenchmarkRow] {
        let server = try await ConsulTestServer.start()
        let snapshot = ScaleGenerator.snapshot(size)
        var loaded = 0
        func load<R: Resource>(_ resources: [R]) async {
            for resource in resources {
                let key = ResourceKey(kind: R.kind, namespace: resource.metadata.namespace, name: resource.metadata.name).key
                await server.put(key, ResourceCodec.yaml(resource))
                loaded += 1
            }
        }
        await load(snapshot.resources.upstreams)
        await load(snapshot.resources.gateways)
        await load(snapshot.resources.virtualServices)
        await load(snapshot.resources.routeTables)
        guard let configuration = ConsulClientConfiguration(address: server.address) else { return [] }
        let client = try ConsulHTTPClient(configuration)
        let store = ConsulKVStore(client: client)

        // Bytes per change, by strategy (the body Consul sends for each request).
        let tree = try await client.send(.GET, "/v1/kv/gloo/", query: [("recurse", nil)]).body.count
        let kind = try await client.send(.GET, "/v1/kv/gloo/gateway.solo.io/v1/VirtualService/", query: [("recurse", nil)]).body.count
        let keys = try await client.send(.GET, "/v1/kv/gloo/", query: [("keys", nil)]).body.count
        let one = try await client.send(.GET, "/v1/kv/gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-0").body.count

        // The store's plan for this tree and what a change to one VirtualService's part sends.
        let (everything, _) = try await ConsulKV(client: client).list(prefix: "gloo/")
        let plan = KVWatchPlan.make(prefix: "gloo/", entries: everything.map { KVEntry(key: $0.key, value: $0.value, version: $0.modifyIndex) },
                                    targetBytes: store.watchPartBytes, maximumParts: store.maximumWatchParts, wholeBelow: store.wholeWatchBelow)
        var serviceParts: [Int] = []
        for part in plan.parts where part.text.contains("/VirtualService/") {
            let query: [(String, String?)] = if case .prefix = part { [("recurse", nil)] } else { [] }
            serviceParts.append(try await client.send(.GET, "/v1/kv/" + part.text, query: query).body.count)
        }

        // Our share of a change: the same recursive read as raw bytes (the test server's JSON and
        // the transfer) and parsed with every value already known (that plus our scanner).
        let (pairs, _) = try await ConsulKV(client: client).list(prefix: "gloo/")
        let knownValues = Dictionary(pairs.map { ($0.key, ($0.modifyIndex, $0.value)) }, uniquingKeysWith: { first, _ in first })
        var raw: [Double] = []
        var parsed: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            _ = try await client.send(.GET, "/v1/kv/gloo/", query: [("recurse", nil)])
            raw.append(Measurement.seconds(ContinuousClock.now - start))
            let parseStart = ContinuousClock.now
            _ = try await ConsulKV(client: client).list(prefix: "gloo/") { key, index in
                knownValues[key].flatMap { $0.0 == index ? $0.1 : nil }
            }
            parsed.append(Measurement.seconds(ContinuousClock.now - parseStart))
        }

        var watch = store.watch().makeAsyncIterator()
        let started = ContinuousClock.now
        _ = try await watch.next()
        let initial = Measurement.seconds(ContinuousClock.now - started)
        var samples: [Double] = []
        var random = ScaleGenerator.Random(state: 11)
        for edit in 1...edits {
            let index = Int.random(in: 0..<size.virtualServices, using: &random)
            let service = ScaleGenerator.service(index, size: size, random: &random, generation: edit)
            let key = ResourceKey(kind: .virtualService, namespace: service.metadata.namespace, name: service.metadata.name).key
            let begin = ContinuousClock.now
            let version = String(await server.put(key, ResourceCodec.yaml(service)))
            while let listing = try await watch.next() {
                if listing.resources.virtualServices.contains(where: { $0.metadata.name == service.metadata.name && $0.metadata.resourceVersion == version }) {
                    break
                }
            }
            samples.append(Measurement.seconds(ContinuousClock.now - begin))
        }
        await client.shutdown()
        await server.stop()
        let label = "\(loaded) keys"
        let mb = { (bytes: Int) in String(format: "%.2f MB", Double(bytes) / 1_000_000) }
        return [
            BenchmarkRow(scenario: "consul recursive GET, raw", size: label, samples: raw,
                         note: "the test server's JSON (\(mb(tree))) and the transfer: not ours"),
            BenchmarkRow(scenario: "consul recursive list, values known", size: label, samples: parsed,
                         note: "the same plus our scanner (values whose ModifyIndex is known are not decoded)"),
            BenchmarkRow(scenario: "consul watch: first listing", size: label, samples: [initial], note: "recursive read and decode of the tree"),
            BenchmarkRow(scenario: "consul watch: one VS edit", size: label, samples: samples,
                         note: "\(edits) edits, PUT to decoded listing; per change: recursive watch of the tree \(mb(tree)), "
                             + "of the VirtualService kind \(mb(kind)), keys-then-get \(mb(keys + one)); "
                             + "in parts (what the store does: \(plan.parts.count) queries) the edited VirtualService's part "
                             + "\(mb(serviceParts.reduce(0, +) / max(serviceParts.count, 1))) on average, \(mb(serviceParts.max() ?? 0)) at most, "
                             + "plus the key listing \(mb(keys))"),
        ]
    }
}
