import ConsulStore
import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Logging
import Testing

/// Consul discovery against the Consul test server: services become Upstreams, only referenced
/// services are watched, health and catalog changes follow.
@Suite struct ConsulDiscoveryTests {
    /// Reads results until one satisfies `condition` (or the stream ends: nil).
    static func next(
        _ results: inout AsyncThrowingStream<DiscoveryResult, any Error>.AsyncIterator, _ condition: (DiscoveryResult) -> Bool
    ) async throws -> DiscoveryResult? {
        while let result = try await results.next() {
            if condition(result) { return result }
        }
        return nil
    }

    static func healthRequests(_ server: ConsulTestServer) async -> [String] {
        await server.requests().filter { $0.path.hasPrefix("/v1/health/service/") }.map { "\($0.path)?\($0.query)" }
    }

    @Test func servicesBecomeUpstreamsAndReferencedServicesGetHealthyEndpoints() async throws {
        let server = try await ConsulTestServer.start()
        let client = try ConsulLeaderElectionTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.registerService("web", id: "web-1", node: "n1", address: "10.0.0.1", port: 8080, tags: ["blue"])
            await server.registerService("web", id: "web-2", node: "n2", address: "10.0.0.2", port: 8080, tags: ["green"])
            await server.registerService("api", id: "api-1", node: "n1", address: "10.0.0.1", port: 9090)
            await server.registerService("db", id: "db-1", node: "n9", address: "10.9.0.1", port: 5432, datacenter: "dc2")
            var options = ConsulDiscoveryOptions()
            options.datacenters = ["dc1", "dc2"]
            let discovery = ConsulDiscovery(client: client, options: options, logger: Logger(label: "test"))
            var results = discovery.discoveries().makeAsyncIterator()

            let first = try #require(try await Self.next(&results) { _ in true })
            #expect(first.upstreams.map(\.metadata.name) == ["api", "db", "web"])
            #expect(first.endpoints.isEmpty && first.complete && first.watches == 2)
            guard case .consul(let db)? = first.upstreams[1].upstreamType else { Issue.record("db is not a consul upstream"); return }
            #expect(db.dataCenters == ["dc2"])
            #expect(await Self.healthRequests(server).isEmpty, "no service is referenced yet: no health query at all")

            // Referencing web starts one watch, in the one datacenter that has it.
            await discovery.setInterest(DiscoveryInterest(services: ["web": []]))
            let watched = try #require(try await Self.next(&results) { $0.endpoints["web"]?.count == 2 && $0.complete })
            #expect(watched.watches == 3)
            #expect(watched.endpoints["web"]?.map(\.address) == ["10.0.0.1", "10.0.0.2"])
            #expect(watched.endpoints["web"]?.first?.upstreams == [ResourceRef(name: "web", namespace: "gloo-system")])
            #expect(watched.endpoints["web"]?.first?.metadata.labels["tag_blue"] == "1")
            let asked = await Self.healthRequests(server)
            #expect(!asked.isEmpty && asked.allSatisfy { $0.hasPrefix("/v1/health/service/web?dc=dc1") }, "\(asked)")

            // An instance turning critical leaves; one in maintenance too; passing again, it returns.
            await server.setServiceCheck(node: "n2", id: "web-2", status: "critical")
            _ = try #require(try await Self.next(&results) { $0.endpoints["web"]?.map(\.address) == ["10.0.0.1"] })
            await server.setServiceCheck(node: "n2", id: "web-2", status: "passing")
            _ = try #require(try await Self.next(&results) { $0.endpoints["web"]?.count == 2 })
            let maintenance = try await client.send(.PUT, "/v1/agent/service/maintenance/web-1", query: [("enable", "true")])
            #expect(maintenance.status == 200)
            _ = try #require(try await Self.next(&results) { $0.endpoints["web"]?.map(\.address) == ["10.0.0.2"] })

            // A deregistered service's Upstream disappears.
            await server.deregisterService(node: "n1", id: "api-1")
            _ = try #require(try await Self.next(&results) { $0.upstreams.map(\.metadata.name) == ["db", "web"] })

            // No longer referenced: its watch stops and its endpoints go.
            await discovery.setInterest(DiscoveryInterest())
            let dropped = try #require(try await Self.next(&results) { $0.endpoints.isEmpty })
            #expect(dropped.watches == 2)
            // The only long-poll left is the catalog's (a query sent just before the watch stopped
            // may wait out its timeout first); a health change then wakes nothing and costs no request.
            #expect(await eventually { await server.blockedQueries() == 1 }, "a service nobody references costs no long-poll")
            await server.clearRequestLog()
            await server.setServiceCheck(node: "n2", id: "web-2", status: "critical")
            // (Every change wakes the server's waiters to look again; the catalog's waits on.)
            #expect(await eventually { await server.blockedQueries() == 1 })
            // A query sent just before the watch stopped may reach the server late, asking with
            // the index it had; a watch still running would ask again from the change's index.
            let late = await Self.healthRequests(server)
            let changed = try await client.send(.GET, "/v1/health/service/web", query: [("dc", "dc1")]).meta.index
            let lateIndexes = late.compactMap { request in
                request.split(whereSeparator: { $0 == "&" || $0 == "?" }).first { $0.hasPrefix("index=") }.flatMap { UInt64($0.dropFirst(6)) }
            }
            #expect(lateIndexes.count == late.count && lateIndexes.allSatisfy { $0 < changed }, "\(late) after the change at \(changed)")
        }
    }

    @Test func consulFailuresAreReportedAndTheLastAnswersKept() async throws {
        let server = try await ConsulTestServer.start()
        let client = try ConsulLeaderElectionTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.registerService("web", id: "web-1", node: "n1", address: "10.0.0.1", port: 8080)
            let discovery = ConsulDiscovery(client: client, options: ConsulDiscoveryOptions(), logger: Logger(label: "test"),
                                            loop: BlockingQueryLoop(backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(50))))
            await discovery.setInterest(DiscoveryInterest(services: ["web": []]))
            var results = discovery.discoveries().makeAsyncIterator()
            let ready = try #require(try await Self.next(&results) { $0.complete && $0.endpoints["web"]?.count == 1 })
            #expect(ready.problems.isEmpty)
            // The agent answers 500 for a while: the problem is reported, the endpoints stay.
            await server.failNext(6)
            await server.registerService("web", id: "web-2", node: "n2", address: "10.0.0.2", port: 8080)
            let failing = try #require(try await Self.next(&results) { !$0.problems.isEmpty })
            #expect(failing.endpoints["web"]?.isEmpty == false)
            #expect(!failing.problems.joined().contains("token"))
            // It recovers on its own and catches up.
            let recovered = try #require(try await Self.next(&results) { $0.problems.isEmpty && $0.endpoints["web"]?.count == 2 })
            #expect(recovered.upstreams.map(\.metadata.name) == ["web"])
        }
    }
}

extension ConsulDiscoveryTests {
    @Test func aBadTokenAtStartIsReportedBeforeAnyAnswer() async throws {
        let server = try await ConsulTestServer.start(token: "good")
        var configuration = try #require(ConsulClientConfiguration(address: server.address, token: SensitiveString("bad")))
        configuration.wait = .seconds(5)
        let client = try ConsulHTTPClient(configuration)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let discovery = ConsulDiscovery(client: client, options: ConsulDiscoveryOptions(), logger: Logger(label: "test"))
            var results = discovery.discoveries().makeAsyncIterator()
            let failing = try #require(try await Self.next(&results) { _ in true })
            #expect(!failing.complete && failing.upstreams.isEmpty)
            #expect(failing.problems.joined().contains("403") && !failing.problems.joined().contains("bad"))
        }
    }
}
