import EnvoyAPI
import GlooAPI
import Logging
import Synchronization
import HashiTestServers
import Testing
import XDS

@testable import Controller

/// A discovery source the test scripts: it records the interest and answers with `respond`.
final class ScriptedDiscovery: EndpointDiscovery {
    let name = "consul"
    let interests = Mutex<[DiscoveryInterest]>([])
    let continuation = Mutex<AsyncThrowingStream<DiscoveryResult, any Error>.Continuation?>(nil)
    let respond: @Sendable (DiscoveryInterest) -> DiscoveryResult?

    init(respond: @escaping @Sendable (DiscoveryInterest) -> DiscoveryResult?) { self.respond = respond }

    func setInterest(_ interest: DiscoveryInterest) async {
        interests.withLock { $0.append(interest) }
        if let result = respond(interest) { send(result) }
    }

    func discoveries() -> AsyncThrowingStream<DiscoveryResult, any Error> {
        let (stream, continuation) = AsyncThrowingStream<DiscoveryResult, any Error>.makeStream()
        self.continuation.withLock { $0 = continuation }
        if let result = respond(DiscoveryInterest()) { continuation.yield(result) }
        return stream
    }

    func send(_ result: DiscoveryResult) { _ = continuation.withLock { $0?.yield(result) } }
}

@Suite struct DiscoveryLoopTests {
    static let discoveredWeb = Upstream(
        metadata: Metadata(name: "web", namespace: "gloo-system"), upstreamType: .consul(ConsulUpstream(serviceName: "web")))
    static let webRef = ResourceRef(name: "web", namespace: "gloo-system")

    static func endpoint(_ address: String, upstreams: [ResourceRef] = [webRef]) -> Endpoint {
        Endpoint(metadata: Metadata(name: "web-\(address)", namespace: "gloo-system"), upstreams: upstreams, address: address, port: 8080)
    }

    static func result(_ addresses: [String], interest: DiscoveryInterest, complete: Bool = true) -> DiscoveryResult {
        DiscoveryResult(upstreams: [discoveredWeb, Upstream(
            metadata: Metadata(name: "unused", namespace: "gloo-system"), upstreamType: .consul(ConsulUpstream(serviceName: "unused")))],
            endpoints: ["web": addresses.map { endpoint($0) }], interest: interest, complete: complete)
    }

    static func addresses(_ snapshot: XDSSnapshot, cluster: String) throws -> [String] {
        guard let resource = snapshot.resources(of: .endpoint)[cluster] else { return [] }
        return try resource.message(Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self).endpoints
            .flatMap(\.lbEndpoints).map(\.endpoint.address.socketAddress.address)
    }

    @Test func interestIsHandedOverAndTheFirstPublishWaitsForItsEndpoints() async throws {
        let store = InMemoryStore()
        await store.store("gloo/gateway.solo.io/v1/Gateway/gloo-system/gw", ConfigLoopTests.gateway)
        // One route by reference to the discovered Upstream, one by Consul service name.
        await store.store("gloo/gateway.solo.io/v1/VirtualService/gloo-system/default", """
            virtualHost: {domains: ['*'], routes: [
              {matchers: [{prefix: /a}], routeAction: {single: {upstream: {name: web, namespace: gloo-system}}}},
              {matchers: [{prefix: /b}], routeAction: {single: {consul: {serviceName: api, dataCenters: [dc2]}}}}]}
            """)
        let answered = Mutex(false)
        let discovery = ScriptedDiscovery { interest in
            // Before the interest arrives: Upstreams only, endpoints not yet known.
            if interest.services.isEmpty { return Self.result([], interest: interest) }
            return answered.withLock { $0 } ? Self.result(["10.0.0.1", "10.0.0.2"], interest: interest)
                : Self.result([], interest: interest, complete: false)
        }
        let cache = SnapshotCache()
        let state = ControllerState()
        let loop = ConfigLoop(store: store, cache: cache, state: state, quiet: .milliseconds(5), maximumDelay: .milliseconds(50),
                              logger: Logger(label: "test"), discoveries: [discovery], discoveryWarmup: .seconds(30))
        var updates = await cache.updates(group: "gloo-system~gateway-proxy").makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await eventually { discovery.interests.withLock { !$0.isEmpty } })
            let interest = try #require(discovery.interests.withLock { $0.last })
            #expect(interest.services == ["web": [], "api": ["dc2"]], "the referenced services, and no other")
            #expect(await state.ready == false, "nothing is published while referenced services have no answer")
            answered.withLock { $0 = true }
            discovery.send(Self.result(["10.0.0.1", "10.0.0.2"], interest: interest))
            let first = try #require(await updates.next())
            let webCluster = try #require(first.resources(of: .cluster).keys.first { $0.contains("web") })
            #expect(try Self.addresses(first, cluster: webCluster) == ["10.0.0.1", "10.0.0.2"])
            #expect(first.resources(of: .cluster).keys.contains { $0.contains("unused") }, "every discovered service is routable")

            // An instance leaves: only the endpoints change, the clusters keep their version.
            discovery.send(Self.result(["10.0.0.1"], interest: interest))
            let second = try #require(await updates.next())
            #expect(try Self.addresses(second, cluster: webCluster) == ["10.0.0.1"])
            #expect(second.versions[.cluster] == first.versions[.cluster])
            #expect(second.versions[.listener] == first.versions[.listener])
            #expect(second.versions[.endpoint] != first.versions[.endpoint])
            group.cancelAll()
        }
    }

    @Test func storedConsulUpstreamsShareTheEndpointsAndKeepThemWhenEdited() async throws {
        let stored = Upstream(metadata: Metadata(name: "web-v2", namespace: "gloo-system"),
                              upstreamType: .consul(ConsulUpstream(serviceName: "web")))
        // A stored Upstream with a discovered one's name replaces it (split deployment).
        let replacing = Upstream(metadata: Metadata(name: "web", namespace: "gloo-system"),
                                 upstreamType: .consul(ConsulUpstream(serviceName: "web", dataCenters: ["dc1"])))
        let result = Self.result(["10.0.0.1"], interest: DiscoveryInterest())
        let joined = DiscoveredInputs(results: ["consul": result], stored: [stored, replacing])
        #expect(joined.upstreams.map(\.metadata.name) == ["unused"])
        #expect(joined.endpoints.first?.upstreams == [Self.webRef, stored.metadata.ref])
        var edited = stored
        edited.metadata.labels = ["team": "a"]
        #expect(DiscoveredInputs(results: ["consul": result], stored: [edited, replacing]).endpoints == joined.endpoints,
                "editing an Upstream does not wait for discovery: its endpoints are joined from the last result")
        let interest = DiscoveryInterestPlan.interest(ResourceSet(), discovered: result.upstreams)
        #expect(interest.services.isEmpty, "a discovered Upstream nobody routes to is not watched")
    }
}
