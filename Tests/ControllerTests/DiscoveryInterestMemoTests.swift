import Foundation
import GlooAPI
import Testing

@testable import Controller

/// The interest set computed through the per-resource memo equals the full walk, before and
/// after an edit.
@Suite struct DiscoveryInterestMemoTests {
    static func service(_ name: String, version: String, routes: [String]) throws -> VirtualService {
        let yaml = "virtualHost:\n  domains: ['\(name).example.com']\n  routes:\n" + routes.map { target in
            target.hasPrefix("consul:")
                ? "  - {matchers: [{prefix: /}], routeAction: {single: {consul: {serviceName: \(target.dropFirst(7))}}}}\n"
                : "  - {matchers: [{prefix: /}], routeAction: {single: {upstream: {name: \(target)}}}}\n"
        }.joined()
        let key = ResourceKey(rootKey: "gloo", kind: .virtualService, namespace: "ns", name: name)
        return try #require(ResourceCodec.decode(VirtualService.self, from: Array(yaml.utf8), key: key, resourceVersion: version).resource)
    }

    @Test func memoizedInterestEqualsTheFullWalk() throws {
        let discovered = ["web", "db", "cache"].map { name in
            Upstream(metadata: Metadata(name: name, namespace: "ns"), upstreamType: .consul(ConsulUpstream(serviceName: name)))
        } + [Upstream(metadata: Metadata(name: "jobs", namespace: "ns"), upstreamType: .nomad(NomadUpstream(serviceName: "jobs")))]
        var resources = ResourceSet()
        resources.virtualServices = [try Self.service("a", version: "1", routes: ["web", "consul:billing"]),
                                     try Self.service("b", version: "1", routes: ["db", "jobs"])]
        let memo = DiscoveryInterestPlan.Memo()
        let first = DiscoveryInterestPlan.interest(resources, discovered: discovered, memo: memo)
        #expect(first == DiscoveryInterestPlan.interest(resources, discovered: discovered))
        #expect(Set(first.services.keys) == ["web", "billing", "db"] && Set(first.nomadServices.keys) == ["jobs"])

        // b is edited: its new destinations count, a's come from the memo.
        resources.virtualServices[1] = try Self.service("b", version: "2", routes: ["cache"])
        let second = DiscoveryInterestPlan.interest(resources, discovered: discovered, memo: memo)
        #expect(second == DiscoveryInterestPlan.interest(resources, discovered: discovered))
        #expect(Set(second.services.keys) == ["web", "billing", "cache"] && second.nomadServices.isEmpty)
    }

    /// Edits that move references around: a service stays while anything points at it, and a
    /// destination asking for every datacenter wins only while it is there.
    @Test func anEditDropsOnlyWhatNothingElsePointsAt() throws {
        let discovered = [Upstream(metadata: Metadata(name: "web", namespace: "ns"), upstreamType: .consul(ConsulUpstream(serviceName: "web")))]
        var resources = ResourceSet()
        resources.upstreams = [Upstream(metadata: Metadata(name: "billing-dc1", namespace: "ns"),
                                        upstreamType: .consul(ConsulUpstream(serviceName: "billing", dataCenters: ["dc1"])))]
        resources.virtualServices = [try Self.service("a", version: "1", routes: ["web", "consul:billing"]),
                                     try Self.service("b", version: "1", routes: ["web"])]
        let memo = DiscoveryInterestPlan.Memo()
        var interest = DiscoveryInterestPlan.interest(resources, discovered: discovered, memo: memo)
        #expect(interest.services == ["web": [], "billing": []])

        // a no longer asks for billing in every datacenter: the Upstream's dc1 remains.
        resources.virtualServices[0] = try Self.service("a", version: "2", routes: ["web"])
        interest = DiscoveryInterestPlan.interest(resources, discovered: discovered, memo: memo)
        #expect(interest.services == ["web": [], "billing": ["dc1"]])
        #expect(interest == DiscoveryInterestPlan.interest(resources, discovered: discovered))

        // b drops web, a still routes to it; then a drops it too.
        resources.virtualServices[1] = try Self.service("b", version: "2", routes: [])
        interest = DiscoveryInterestPlan.interest(resources, discovered: discovered, memo: memo)
        #expect(interest.services["web"] == [])
        resources.virtualServices[0] = try Self.service("a", version: "3", routes: ["consul:billing"])
        interest = DiscoveryInterestPlan.interest(resources, discovered: discovered, memo: memo)
        #expect(interest.services == ["billing": []])
        #expect(interest == DiscoveryInterestPlan.interest(resources, discovered: discovered))
    }
}

extension DiscoveryInterestMemoTests {
    /// The read modes of a service's user-written Upstreams reach discovery combined, and stay
    /// through an edit that takes the memo's shortcut.
    @Test func upstreamReadModesAreCombinedPerService() throws {
        func upstream(_ name: String, _ service: String, _ mode: ConsulUpstream.ConsistencyMode?, useCache: Bool? = nil) -> Upstream {
            var spec = ConsulUpstream(serviceName: service)
            spec.consistencyMode = mode
            if let useCache { spec.queryOptions = ConsulQueryOptions(useCache: useCache) }
            return Upstream(metadata: Metadata(name: name, namespace: "ns"), upstreamType: .consul(spec))
        }
        var resources = ResourceSet()
        resources.upstreams = [upstream("web-a", "web", .staleMode), upstream("web-b", "web", .consistentMode),
                               upstream("api", "api", nil, useCache: false), upstream("db", "db", nil)]
        resources.virtualServices = [try Self.service("a", version: "1", routes: ["web-a"])]
        let memo = DiscoveryInterestPlan.Memo()
        let first = DiscoveryInterestPlan.interest(resources, discovered: [], memo: memo)
        #expect(first.consulReads == ["web": ConsulReadRequest(consistency: .consistentMode),
                                      "api": ConsulReadRequest(refusesCache: true)])
        resources.virtualServices[0] = try Self.service("a", version: "2", routes: ["api"])
        let edited = DiscoveryInterestPlan.interest(resources, discovered: [], memo: memo)
        #expect(edited.consulReads == first.consulReads)
        #expect(edited == DiscoveryInterestPlan.interest(resources, discovered: []))
    }
}
