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
}
