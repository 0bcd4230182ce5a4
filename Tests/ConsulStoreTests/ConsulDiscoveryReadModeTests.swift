import GlooAPI
import HashiHTTP
import HashiTestServers
import Logging
import Testing

@testable import ConsulStore

/// How discovery reads Consul: Settings' consistency mode and agent cache, made stricter per
/// service by its Upstreams (`consul.consistencyMode`, `queryOptions.useCache`), as Gloo's EDS.
@Suite struct ConsulDiscoveryReadModeTests {
    /// The flags (`stale`, `consistent`, `cached`) of each logged request to `path`.
    static func flags(_ server: ConsulTestServer, _ path: String) async -> [Set<String>] {
        await server.requests().filter { $0.path == path }.map { request in
            Set(request.query.split(separator: "&").map(String.init).filter { ["stale", "consistent", "cached"].contains($0) })
        }
    }

    @Test func upstreamsMakeAServiceReadStricterWithoutLosingItsEndpoints() async throws {
        let server = try await ConsulTestServer.start()
        let client = try ConsulLeaderElectionTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.registerService("web", id: "web-1", node: "n1", address: "10.0.0.1", port: 8080)
            await server.registerService("api", id: "api-1", node: "n1", address: "10.0.0.2", port: 9090)
            var options = ConsulDiscoveryOptions()
            options.read.consistency = .stale
            let discovery = ConsulDiscovery(client: client, options: options, logger: Logger(label: "test"))
            await discovery.setInterest(DiscoveryInterest(services: ["web": [], "api": []]))
            var results = discovery.discoveries().makeAsyncIterator()
            _ = try #require(try await ConsulDiscoveryTests.next(&results) { $0.complete && $0.endpoints.count == 2 })

            // Settings alone: stale and cached (Gloo's default) for instances; the list is never cached.
            #expect(await Self.flags(server, "/v1/catalog/services").allSatisfy { $0 == ["stale"] })
            #expect(await Self.flags(server, "/v1/health/service/web").allSatisfy { $0 == ["stale", "cached"] })

            // web's Upstreams ask for consistent reads (Consul refuses the cache with them); api's
            // turn the cache off and ask for stale, which Settings already are.
            await server.clearRequestLog()
            await discovery.setInterest(DiscoveryInterest(services: ["web": [], "api": []], consulReads: [
                "web": ConsulReadRequest(consistency: .consistentMode),
                "api": ConsulReadRequest(consistency: .staleMode, refusesCache: true),
            ]))
            #expect(await eventually { await Self.flags(server, "/v1/health/service/web").contains(["consistent"]) })
            #expect(await eventually { await Self.flags(server, "/v1/health/service/api").contains(["stale"]) })

            // The watches were replaced, not dropped: every result since kept both services' endpoints.
            await server.registerService("web", id: "web-2", node: "n2", address: "10.0.0.3", port: 8080)
            let moved = try #require(try await ConsulDiscoveryTests.next(&results) { result in
                #expect(result.endpoints["web"]?.isEmpty == false && result.endpoints["api"]?.isEmpty == false)
                return result.endpoints["web"]?.count == 2
            })
            #expect(moved.complete && moved.problems.isEmpty, "no query Consul refuses: \(moved.problems)")
            let web = await Self.flags(server, "/v1/health/service/web")
            #expect(web.last == ["consistent"], "the running watch reads consistently: \(web)")
        }
    }

    @Test func anUpstreamCannotMakeReadsLessConsistentThanSettings() {
        let settings = ConsulReadMode(consistency: .consistent, cached: true)
        #expect(settings.reading(ConsulReadRequest(consistency: .staleMode)) == settings)
        var defaults = ConsulReadMode(consistency: .default, cached: true)
        #expect(defaults.reading(ConsulReadRequest(consistency: .staleMode)).consistency == .default)
        #expect(defaults.reading(ConsulReadRequest(consistency: .consistentMode)).consistency == .consistent)
        #expect(defaults.reading(ConsulReadRequest(refusesCache: true)) == ConsulReadMode(consistency: .default, cached: false))
        defaults.cached = false
        #expect(defaults.reading(nil) == defaults)
    }

    @Test func requestsCombineAsGloosEDS() throws {
        var stale = try #require(ConsulReadRequest(upstream(.staleMode)))
        stale.add(try #require(ConsulReadRequest(upstream(.defaultMode))))
        #expect(stale.consistency == .defaultMode)
        stale.add(try #require(ConsulReadRequest(upstream(nil, useCache: false))))
        #expect(stale.consistency == .defaultMode && stale.refusesCache)
        stale.add(try #require(ConsulReadRequest(upstream(.consistentMode, useCache: true))))
        #expect(stale.consistency == .consistentMode && stale.refusesCache, "an explicit true does not undo a false")
        #expect(ConsulReadRequest(upstream(nil)) == nil)
        #expect(ConsulReadRequest(upstream(nil, useCache: true)) == nil, "the cache is on unless turned off")
    }

    private func upstream(_ mode: ConsulUpstream.ConsistencyMode?, useCache: Bool? = nil) -> ConsulUpstream {
        var spec = ConsulUpstream(serviceName: "web")
        spec.consistencyMode = mode
        if let useCache { spec.queryOptions = ConsulQueryOptions(useCache: useCache) }
        return spec
    }
}
