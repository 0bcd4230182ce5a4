import EnvoyAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import XDS

/// Scenario 2: one snapshot served to many ADS streams (half SotW, half delta) on loopback:
/// initial delivery, one-cluster change fan-out, bytes, and the serialization floor.
enum XDSScenario {
    static let group = "gloo-system~gateway-proxy"

    /// What the clients saw, per stream: the version of each type they hold.
    actor Tracker {
        private var versions: [Int: [TypeURL: String]] = [:]
        private var resourceCounts: [Int: Int] = [:]
        private(set) var bytes = 0
        private var waiters: [(condition: @Sendable ([Int: [TypeURL: String]]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

        func record(stream: Int, type: TypeURL, version: String, resources: Int, bytes: Int) {
            versions[stream, default: [:]][type] = version
            resourceCounts[stream] = resources
            self.bytes += bytes
            let snapshot = versions
            waiters.removeAll { waiter in
                guard waiter.condition(snapshot) else { return false }
                waiter.continuation.resume()
                return true
            }
        }

        func lastResourceCount(_ stream: Int) -> Int { resourceCounts[stream] ?? 0 }

        func wait(until condition: @escaping @Sendable ([Int: [TypeURL: String]]) -> Bool) async {
            if condition(versions) { return }
            await withCheckedContinuation { waiters.append((condition, $0)) }
        }
    }

    struct Result {
        var rows: [BenchmarkRow]
    }

    static func run(snapshot: XDSSnapshot, streams: Int, changes: Int, sizeLabel: String) async throws -> [BenchmarkRow] {
        let cache = SnapshotCache()
        try await cache.publish(group: group, snapshot: snapshot)
        let server = XDSServer(host: "127.0.0.1", port: 0, cache: cache)
        let tracker = Tracker()
        let clusterNames = snapshot.resources(of: .cluster).keys.sorted()
        let endpointNames = snapshot.resources(of: .endpoint).keys.sorted()
        let routeNames = snapshot.resources(of: .route).keys.sorted()
        // As Envoy subscribes to scoped routes: each connection manager's xdstp collection.
        let scopeCollections = Set(snapshot.resources(of: .scopedRoute).keys.map { name in
            String(name[..<name.lastIndex(of: "/")!]) + "/*"
        }).sorted()
        var rows: [BenchmarkRow] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.serve() }
            let port = try await server.listeningPort()
            let started = ContinuousClock.now
            for stream in 0..<streams {
                tasks.addTask {
                    do {
                        try await runStream(stream, delta: stream % 2 == 1, port: port, endpoints: endpointNames, routes: routeNames,
                                            scopes: scopeCollections, tracker: tracker)
                    } catch is CancellationError {
                        // The scenario ended and cancelled its clients.
                    } catch {
                        FileHandle.standardError.write(Data("stream \(stream) failed: \(error)\n".utf8))
                    }
                }
            }
            let expected = snapshot.versions
            await tracker.wait { versions in
                versions.count == streams && versions.values.allSatisfy { held in
                    [TypeURL.cluster, .endpoint, .listener, .scopedRoute, .route].allSatisfy { held[$0] == expected[$0] }
                }
            }
            let initial = Measurement.seconds(ContinuousClock.now - started)
            let initialBytes = await tracker.bytes
            let floor = try serializationFloor(snapshot)
            let perStream = initial / Double(streams)
            rows.append(BenchmarkRow(
                scenario: "xDS initial delivery (\(streams) streams)", size: sizeLabel, samples: [initial],
                note: String(format: "%.1f MB of resources sent; floor %.1f ms; per-stream cost / floor = %.2fx",
                             Double(initialBytes) / 1e6, floor * 1000, perStream / floor)))

            var current = snapshot
            var fanOut: [Double] = []
            var deltaSingle = true
            for change in 0..<changes {
                current = try changedCluster(current, name: clusterNames[change % clusterNames.count], change: change)
                let version = current.versions[.cluster]!
                let start = ContinuousClock.now
                try await cache.publish(group: group, snapshot: current)
                await tracker.wait { versions in
                    versions.count == streams && versions.values.allSatisfy { $0[.cluster] == version }
                }
                fanOut.append(Measurement.seconds(ContinuousClock.now - start))
                for stream in stride(from: 1, to: streams, by: 2) where await tracker.lastResourceCount(stream) != 1 {
                    deltaSingle = false
                }
            }
            rows.append(BenchmarkRow(
                scenario: "xDS one-cluster change fan-out", size: sizeLabel, samples: fanOut,
                note: "\(changes) changes to \(streams) streams; delta streams got only that cluster: \(deltaSingle ? "yes" : "NO")"))
            server.beginGracefulShutdown()
            tasks.cancelAll()
        }
        return rows
    }

    /// The snapshot with one cluster's connect timeout changed.
    static func changedCluster(_ snapshot: XDSSnapshot, name: String, change: Int) throws -> XDSSnapshot {
        var resources = snapshot.resources.values.flatMap(\.values)
        guard let index = resources.firstIndex(where: { $0.typeURL == .cluster && $0.name == name }) else { return snapshot }
        var cluster = try resources[index].message(Envoy_Config_Cluster_V3_Cluster.self)
        cluster.connectTimeout = Google_Protobuf_Duration(seconds: 1, nanos: Int32(change + 1) * 1_000_000)
        resources[index] = try XDSResource(cluster: cluster)
        return try XDSSnapshot(resources)
    }

    /// Serializing every resource once, as one response per type: what any server must pay.
    static func serializationFloor(_ snapshot: XDSSnapshot) throws -> Double {
        try Measurement.time {
            for type in [TypeURL.cluster, .endpoint, .listener, .scopedRoute, .route] {
                var response = Envoy_Service_Discovery_V3_DiscoveryResponse()
                response.typeURL = type.rawValue
                response.resources = snapshot.resources(of: type).values.map(\.any)
                _ = try response.serializedBytes() as [UInt8]
            }
        }
    }

    static func runStream(
        _ stream: Int, delta: Bool, port: Int, endpoints: [String], routes: [String], scopes: [String], tracker: Tracker
    ) async throws {
        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
                                      config: .defaults { $0.http2.maxFrameSize = 1 << 20 })
        ) { client in
            typealias ADS = Envoy_Service_Discovery_V3_AggregatedDiscoveryService
            // Envoy has no limit on xDS message size; gRPC clients default to 4 MiB. The NIO
            // transport applies the request limit to the response deframer too, so raise both.
            var options = CallOptions.defaults
            options.maxResponseMessageBytes = 1 << 30
            options.maxRequestMessageBytes = 1 << 30
            var node = Envoy_Config_Core_V3_Node()
            node.id = "bench-\(stream)"
            node.metadata.fields["role"] = Google_Protobuf_Value(stringValue: group)
            let names: [TypeURL: [String]] = [.cluster: [], .endpoint: endpoints, .listener: [], .scopedRoute: scopes, .route: routes]
            let order: [TypeURL] = [.cluster, .endpoint, .listener, .scopedRoute, .route]
            if delta {
                let (requests, send) = AsyncStream<Envoy_Service_Discovery_V3_DeltaDiscoveryRequest>.makeStream()
                for type in order {
                    var request = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest()
                    request.node = node
                    request.typeURL = type.rawValue
                    request.resourceNamesSubscribe = names[type]!
                    send.yield(request)
                }
                try await client.bidirectionalStreaming(
                    request: StreamingClientRequest { writer in for await request in requests { try await writer.write(request) } },
                    descriptor: ADS.Method.DeltaAggregatedResources.descriptor,
                    serializer: ProtobufSerializer<Envoy_Service_Discovery_V3_DeltaDiscoveryRequest>(),
                    deserializer: LightResponseDeserializer(), options: options
                ) { response in
                    for try await message in response.messages {
                        var ack = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest()
                        ack.typeURL = message.typeURL
                        ack.responseNonce = message.nonce
                        send.yield(ack)
                        if let type = TypeURL(rawValue: message.typeURL) {
                            await tracker.record(stream: stream, type: type, version: message.version,
                                                 resources: message.resources, bytes: message.resourceBytes)
                        }
                    }
                }
            } else {
                let (requests, send) = AsyncStream<Envoy_Service_Discovery_V3_DiscoveryRequest>.makeStream()
                for type in order {
                    var request = Envoy_Service_Discovery_V3_DiscoveryRequest()
                    request.node = node
                    request.typeURL = type.rawValue
                    request.resourceNames = names[type]!
                    send.yield(request)
                }
                try await client.bidirectionalStreaming(
                    request: StreamingClientRequest { writer in for await request in requests { try await writer.write(request) } },
                    descriptor: ADS.Method.StreamAggregatedResources.descriptor,
                    serializer: ProtobufSerializer<Envoy_Service_Discovery_V3_DiscoveryRequest>(),
                    deserializer: LightResponseDeserializer(), options: options
                ) { response in
                    for try await message in response.messages {
                        guard let type = TypeURL(rawValue: message.typeURL) else { continue }
                        var ack = Envoy_Service_Discovery_V3_DiscoveryRequest()
                        ack.typeURL = message.typeURL
                        ack.versionInfo = message.version
                        ack.responseNonce = message.nonce
                        ack.resourceNames = names[type] ?? []
                        send.yield(ack)
                        await tracker.record(stream: stream, type: type, version: message.version,
                                             resources: message.resources, bytes: message.resourceBytes)
                    }
                }
            }
        }
    }
}
