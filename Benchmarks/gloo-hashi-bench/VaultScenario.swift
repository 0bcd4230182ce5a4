import Controller
import Foundation
import GlooAPI
import HashiTestServers
import Logging
import VaultSecrets
import XDS

/// Issue 10's secrets measurement: 5,000 TLS Secrets in Gloo's KV v2 layout in the Vault test
/// server (10 namespaces), one SSL VirtualService per secret. Measured: the Vault requests of one
/// refresh cycle in which one secret changed (target: a LIST per namespace, a metadata read per
/// secret, exactly one data read), how long such a cycle takes, and the time from a rotation
/// written to Vault until the xDS cache holds the new SDS Secret (refresh every second: the wait
/// for the next cycle is part of it).
enum VaultScenario {
    /// The scenario's own resources were not all served, so its figures would mean nothing.
    struct IncompleteScenario: Error, CustomStringConvertible {
        var description: String
    }

    struct Size {
        var secrets: Int
        var namespaces: Int

        static let full = Size(secrets: 5_000, namespaces: 10)
        static let quick = Size(secrets: 200, namespaces: 4)
        var description: String { "\(secrets) TLS secrets in \(namespaces) namespaces" }
    }

    static let folder = "gloo/gloo.solo.io/v1/Secret"

    static func run(_ size: Size, rotations: Int) async throws -> [BenchmarkRow] {
        let server = try await VaultTestServer.start()
        var configuration = VaultClientConfiguration(address: "http://\(server.address)")!
        configuration.attempts = 1
        let client = try VaultHTTPClient(configuration, token: SensitiveString(server.rootToken))
        let kv = VaultKV(client: client)
        let authority = try TestCertificateAuthority()
        // A few distinct pairs are enough: every secret must be a valid certificate and key.
        let pairs = try (0..<8).map { try authority.issue(commonName: "pair-\($0).example.com", validity: 90 * 86400) }
        func body(_ name: String, _ namespace: String, pair: Int) -> [String: Any] {
            ["metadata": ["name": name, "namespace": namespace],
             "tls": ["certChain": pairs[pair % pairs.count].certificatePEM, "privateKey": pairs[pair % pairs.count].privateKeyPEM]]
        }
        let store = InMemoryStore()
        await store.store("gloo/gateway.solo.io/v1/Gateway/gloo-system/https", "bindPort: 8443\nssl: true\nhttpGateway: {}\n")
        var refs: [ResourceRef] = []
        for index in 0..<size.secrets {
            let namespace = "ns-\(index % size.namespaces)"
            let name = "tls-\(index)"
            refs.append(ResourceRef(name: name, namespace: namespace))
            _ = try await kv.write(mount: "secret", path: "\(folder)/\(namespace)/\(name)", data: body(name, namespace, pair: index))
            await store.store("gloo/gateway.solo.io/v1/VirtualService/\(namespace)/site-\(index)", """
                virtualHost: {domains: ['site-\(index).example.com'], routes: [{matchers: [{prefix: /}], directResponseAction: {status: 200}}]}
                sslConfig: {secretRef: {name: \(name), namespace: \(namespace)}, sniDomains: ['site-\(index).example.com']}
                """)
        }

        // One cycle after one secret changed, on a store that has read everything once.
        let direct = VaultSecretStore(client: client)
        direct.setReferenced(Set(refs))
        let firstScanStart = ContinuousClock.now
        _ = try await direct.scan()
        let firstScan = Measurement.seconds(ContinuousClock.now - firstScanStart)
        var cycles: [Double] = []
        var counts = (lists: 0, metadata: 0, data: 0, other: 0)
        for round in 0..<3 {
            let changed = refs[round * 7 % refs.count]
            _ = try await kv.write(mount: "secret", path: "\(folder)/\(changed.namespace)/\(changed.name)",
                                   data: body(changed.name, changed.namespace, pair: round + 1))
            let before = await server.requests().count
            let start = ContinuousClock.now
            _ = try await direct.scan()
            cycles.append(Measurement.seconds(ContinuousClock.now - start))
            let requests = await server.requests().dropFirst(before)
            counts = (0, 0, 0, 0)
            for request in requests {
                if request.path.hasSuffix("/") { counts.lists += 1 }
                else if request.path.contains("/metadata/") { counts.metadata += 1 }
                else if request.path.contains("/data/") { counts.data += 1 }
                else { counts.other += 1 }
            }
        }

        // The controller: rotation in Vault to the new SDS Secret in the xDS cache.
        var logger = Logger(label: "bench")
        logger.logLevel = ProcessInfo.processInfo.environment["BENCH_LOG"] == "info" ? .info : .warning
        let secrets = VaultSecretStore(client: client, refresh: .seconds(1))
        let cache = SnapshotCache()
        let loop = ConfigLoop(store: store, cache: cache, state: ControllerState(), logger: logger, secretStore: secrets)
        let group = "gloo-system~gateway-proxy"
        var updates = await cache.updates(group: group).makeAsyncIterator()
        var rows: [BenchmarkRow] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await loop.run() }
            let started = ContinuousClock.now
            guard var current = await updates.next() else { return }
            let initial = Measurement.seconds(ContinuousClock.now - started)
            let served = current.resources(of: .secret).count
            // A rotation waits for its secret in the cache: with a secret missing it would wait forever.
            guard served >= refs.count else {
                tasks.cancelAll()
                throw IncompleteScenario(
                    description: "only \(served) of \(refs.count) SDS secrets are served: the scenario's VirtualServices "
                        + "are rejected (BENCH_LOG=info shows why)")
            }
            var latencies: [Double] = []
            for rotation in 0..<rotations {
                let index = (rotation * 131 + 17) % refs.count
                let ref = refs[index]
                let name = "\(ref.name)_\(ref.namespace)"
                let before = current.resources(of: .secret)[name]?.version
                let begin = ContinuousClock.now
                _ = try await kv.write(mount: "secret", path: "\(folder)/\(ref.namespace)/\(ref.name)",
                                       data: body(ref.name, ref.namespace, pair: index + 1 + rotation % 7))
                while let snapshot = await updates.next() {
                    current = snapshot
                    if let secret = snapshot.resources(of: .secret)[name], secret.version != before { break }
                }
                latencies.append(Measurement.seconds(ContinuousClock.now - begin))
            }
            tasks.cancelAll()
            let label = size.description
            rows = [
                BenchmarkRow(scenario: "vault secrets: first full read", size: label, samples: [firstScan],
                             note: "every secret's metadata and data"),
                BenchmarkRow(scenario: "vault secrets: refresh cycle, one secret changed", size: label, samples: cycles,
                             note: "requests per cycle: \(counts.lists) LIST, \(counts.metadata) metadata, \(counts.data) data, "
                                 + "\(counts.other) other"),
                BenchmarkRow(scenario: "vault secrets: first publish", size: label, samples: [initial],
                             note: "\(served) SDS secrets in the xDS cache"),
                BenchmarkRow(scenario: "vault secrets: rotation to xDS cache", size: label, samples: latencies,
                             note: "\(latencies.count) rotations, refresh every 1 s (the wait for the next cycle included)"),
            ]
        }
        await client.shutdown()
        await server.stop()
        return rows
    }
}
