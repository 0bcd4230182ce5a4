import EnvoyAPI
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

@testable import XDS

/// The ADS server over a real socket with the generated Swift client.
@Suite struct XDSServerTests {
    @Test func servesAStreamAndEndsItOnGracefulShutdown() async throws {
        let cache = SnapshotCache()
        try await cache.publish(group: "gloo-system~gateway-proxy", snapshot: try Fixtures.snapshot(clusters: ["a"]))
        let server = XDSServer(host: "127.0.0.1", port: 0, cache: cache)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let port = try await server.listeningPort()
            try await withGRPCClient(
                transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            ) { client in
                let ads = Envoy_Service_Discovery_V3_AggregatedDiscoveryService.Client(wrapping: client)
                let received = try await ads.streamAggregatedResources { writer in
                    var request = Fixtures.sotwRequest(.cluster)
                    request.node.metadata.fields["role"] = .init(stringValue: "gloo-system~gateway-proxy")
                    try await writer.write(request)
                } onResponse: { response in
                    var count = 0
                    for try await message in response.messages {
                        count += 1
                        #expect(Fixtures.names(message) == ["a"])
                        #expect(await server.connectedNodes().first?.group == "gloo-system~gateway-proxy")
                        server.beginGracefulShutdown()
                    }
                    return count
                }
                #expect(received == 1, "the stream ended after shutdown instead of hanging")
            }
            try await group.next()
            #expect(await server.connectedNodes().isEmpty)
        }
    }
}
