import ConsulStore
import Controller
import EnvoyAPI
import Foundation
import GlooAPI
import HashiTestServers
import Logging
import XDS

/// Issue 9's discovery measurement: 10,000 Consul services with 150,000 instances in the Consul
/// test server, routes to 500 of them, and the controller loop (`ConfigLoop` with
/// `ConsulDiscovery`, over HTTP) publishing to the xDS cache. Each change flips one instance of a
/// referenced service between critical and passing; it is timed from the check's change in
/// Consul until the xDS cache holds the new ClusterLoadAssignment.
enum DiscoveryScenario {
    struct Size {
        var services: Int
        var instancesPerService: Int
        var referenced: Int

        static let full = Size(services: 10_000, instancesPerService: 15, referenced: 500)
        static let quick = Size(services: 1_000, instancesPerService: 15, referenced: 50)
        var description: String { "\(services) services, \(services * instancesPerService) instances, \(referenced) referenced" }
    }

    static func run(_ size: Size, changes: Int) async throws -> [BenchmarkRow] {
        let server = try await ConsulTestServer.start()
        let perNode = 100
        var instances: [ConsulTestServer.Instance] = []
        instances.reserveCapacity(size.services * size.instancesPerService)
        for service in 0..<size.services {
            for instance in 0..<size.instancesPerService {
                let ordinal = service * size.instancesPerService + instance
                instances.append(.init(service: "svc-\(service)", id: "svc-\(service)-\(instance)", node: "node-\(ordinal / perNode)",
                                       address: "10.\(ordinal / 65536 % 256).\(ordinal / 256 % 256).\(ordinal % 256)", port: 8080,
                                       tags: instance % 2 == 0 ? ["even"] : ["odd"]))
            }
        }
        await server.registerServices(instances)

        // Routes to every (services / referenced)-th service, by reference to its discovered Upstream.
        let store = InMemoryStore()
        await store.store("gloo/gateway.solo.io/v1/Gateway/gloo-system/http", "bindPort: 8080\nhttpGateway: {}\n")
        let stride = size.services / size.referenced
        let referenced = (0..<size.referenced).map { $0 * stride }
        for (index, chunk) in referenced.chunked(10).enumerated() {
            let routes = chunk.map { "{matchers: [{prefix: /svc-\($0)}], routeAction: {single: {upstream: {name: svc-\($0), namespace: gloo-system}}}}" }
            await store.store("gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-\(index)",
                              "virtualHost: {domains: ['vs-\(index).example.com'], routes: [\(routes.joined(separator: ", "))]}\n")
        }

        guard let configuration = ConsulClientConfiguration(address: server.address) else { return [] }
        let client = try ConsulHTTPClient(configuration)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let discovery = ConsulDiscovery(client: client, options: ConsulDiscoveryOptions(), logger: logger)
        let cache = SnapshotCache()
        let state = ControllerState()
        let loop = ConfigLoop(store: store, cache: cache, state: state, logger: logger, discoveries: [discovery])
        let group = "gloo-system~gateway-proxy"
        var updates = await cache.updates(group: group).makeAsyncIterator()
        var rows: [BenchmarkRow] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await loop.run() }
            let started = ContinuousClock.now
            guard var current = await updates.next() else { return }
            let initial = Measurement.seconds(ContinuousClock.now - started)
            let clusters = current.resources(of: .cluster).count
            let assignments = current.resources(of: .endpoint)
            let served = try assignments.values.reduce(0) { total, resource in
                total + (try endpointCount(resource))
            }
            let result = await state.discovery["consul"]

            // Steady state: what Consul sees while nothing changes.
            await server.clearRequestLog()
            try await Task.sleep(for: .seconds(10))
            let quietRequests = await server.requests().count

            var critical: [Double] = []
            var passing: [Double] = []
            for change in 0..<changes {
                let service = referenced[(change / 2 * 7) % referenced.count]
                let instance = (change / 2) % size.instancesPerService
                let node = "node-\((service * size.instancesPerService + instance) / perNode)"
                let cluster = "svc-\(service)_gloo-system"
                let down = change % 2 == 0
                let expected = down ? size.instancesPerService - 1 : size.instancesPerService
                let begin = ContinuousClock.now
                await server.setServiceCheck(node: node, id: "svc-\(service)-\(instance)", status: down ? "critical" : "passing")
                while let snapshot = await updates.next() {
                    current = snapshot
                    if let assignment = snapshot.resources(of: .endpoint)[cluster], try endpointCount(assignment) == expected { break }
                }
                let elapsed = Measurement.seconds(ContinuousClock.now - begin)
                if down { critical.append(elapsed) } else { passing.append(elapsed) }
            }
            tasks.cancelAll()
            let label = size.description
            rows = [
                BenchmarkRow(scenario: "consul discovery: first publish", size: label, samples: [initial],
                             note: "\(clusters) clusters, \(assignments.count) load assignments, \(served) endpoints served; "
                                 + "\(result?.watches ?? 0) open long-polls (1 per datacenter + 1 per referenced service)"),
                BenchmarkRow(scenario: "consul discovery: instance turns critical", size: label, samples: critical,
                             note: "\(critical.count) changes, check change to new ClusterLoadAssignment in the xDS cache"),
                BenchmarkRow(scenario: "consul discovery: instance passes again", size: label, samples: passing,
                             note: "\(passing.count) changes; steady state: \(quietRequests) requests to Consul in 10 s without changes"),
            ]
        }
        await client.shutdown()
        await server.stop()
        return rows
    }

    static func endpointCount(_ resource: XDSResource) throws -> Int {
        try resource.message(Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self).endpoints.reduce(0) { $0 + $1.lbEndpoints.count }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        Swift.stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
