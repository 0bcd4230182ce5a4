import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Logging
import Testing

@testable import NomadJobs

/// Nomad native service discovery against the Nomad test server: services become Upstreams,
/// referenced ones get their instances as endpoints, changes arrive through blocking queries, and
/// a refused token is reported without the token.
@Suite struct NomadDiscoveryTests {
    static func client(_ server: NomadTestServer, token: String = "") throws -> NomadHTTPClient {
        var configuration = try #require(NomadClientConfiguration(address: server.address, token: SensitiveString(token)))
        configuration.wait = .seconds(5)
        return try NomadHTTPClient(configuration)
    }

    @Test func referencedServicesGetTheirInstancesAndFollowChanges() async throws {
        let server = try await NomadTestServer.start()
        await server.register(service: "web", id: "a", address: "10.0.0.1", port: 8080, tags: ["v1"])
        await server.register(service: "web", id: "b", address: "10.0.0.2", port: 8080, tags: ["v2"])
        await server.register(service: "db", id: "c", address: "10.0.0.3", port: 5432)
        let client = try Self.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let discovery = NomadDiscovery(client: client, logger: Logger(label: "test"),
                                           loop: BlockingQueryLoop(backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(50))))
            await discovery.setInterest(DiscoveryInterest(nomadServices: ["web": []]))
            var results = discovery.discoveries().makeAsyncIterator()
            var result = try #require(try await results.next())
            while !result.complete { result = try #require(try await results.next()) }
            #expect(result.upstreams.map(\.metadata.name) == ["db", "web"])
            #expect(result.upstreams.first?.metadata.labels == ["discovered_by": "nomadplugin"])
            #expect(result.upstreams.last?.upstreamType == .nomad(NomadUpstream(serviceName: "web")))
            let endpoints = try #require(result.endpoints["web"])
            #expect(endpoints.map(\.address) == ["10.0.0.1", "10.0.0.2"])
            #expect(endpoints.first?.upstreams == [ResourceRef(name: "web", namespace: "gloo-system")])
            #expect(endpoints.first?.metadata.labels == ["tag_v1": "1", "nomad_namespace": ""])
            #expect(result.endpoints["db"] == nil, "an unreferenced service costs no watch")
            #expect(result.watches == 2)

            // An allocation stops: its instance leaves with the next blocking answer.
            await server.deregister(id: "b")
            while result.endpoints["web"]?.count != 1 { result = try #require(try await results.next()) }
            #expect(result.endpoints["web"]?.map(\.address) == ["10.0.0.1"])
            let watched = await server.requests().filter { $0.path == "/v1/service/web" }.count
            #expect(watched >= 2, "instances are followed with blocking queries")
        }
    }

    @Test func aRefusedTokenIsReportedWithoutTheToken() async throws {
        let server = try await NomadTestServer.start(token: "right-token")
        let client = try Self.client(server, token: "wrong-token")
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let discovery = NomadDiscovery(client: client, logger: Logger(label: "test"),
                                           loop: BlockingQueryLoop(backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(50))))
            var results = discovery.discoveries().makeAsyncIterator()
            let result = try #require(try await results.next())
            #expect(!result.complete)
            #expect(result.problems.first?.contains("Nomad refused GET services") == true)
            #expect(!result.problems.joined().contains("wrong-token"))
        }
    }
}
