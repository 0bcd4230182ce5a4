import ConsulStore
import Foundation
import GlooAPI
import Synchronization
import Testing

@Suite struct ConsulServiceEndpointsTests {
    /// A health entry as `/v1/health/service` answers it.
    static func entry(
        _ id: String, node: String = "n1", nodeAddress: String = "10.0.0.9", address: String = "", port: Int = 8080,
        tags: [String] = [], checks: [(String, String)] = [("service:x", "passing")], weights: (Int, Int)? = nil, dc: String = "dc1"
    ) throws -> ConsulHealth.ServiceEntry {
        var service: [String: Any] = ["ID": id, "Service": "web", "Tags": tags, "Address": address, "Port": port]
        if let weights { service["Weights"] = ["Passing": weights.0, "Warning": weights.1] }
        let json: [String: Any] = [
            "Node": ["Node": node, "Address": nodeAddress, "Datacenter": dc],
            "Service": service,
            "Checks": checks.map { ["CheckID": $0.0, "Status": $0.1, "ServiceID": id] },
        ]
        return try JSONDecoder().decode(ConsulHealth.ServiceEntry.self, from: JSONSerialization.data(withJSONObject: json))
    }

    static let ref = ResourceRef(name: "web", namespace: "gloo-system")

    func endpoints(_ entries: [ConsulHealth.ServiceEntry], options: ConsulDiscoveryOptions = ConsulDiscoveryOptions(),
                   resolve: (String) -> [String]? = { _ in nil }) -> ConsulServiceEndpoints.Outcome {
        ConsulServiceEndpoints.endpoints(entries, datacenter: "dc1", serviceTags: ["blue", "green"], serviceDatacenters: ["dc1", "dc2"],
                                         upstreams: [Self.ref], options: options, resolve: resolve)
    }

    @Test func onlyPassingInstancesOutsideMaintenanceBecomeEndpoints() throws {
        let entries = [
            try Self.entry("a", address: "10.0.0.1"),
            try Self.entry("b", address: "10.0.0.2", checks: [("service:b", "warning")]),
            try Self.entry("c", address: "10.0.0.3", checks: [("service:c", "critical")]),
            try Self.entry("d", address: "10.0.0.4", checks: [("service:d", "passing"), ("_service_maintenance:d", "critical")]),
            try Self.entry("e", address: "10.0.0.5", checks: [("serfHealth", "passing"), ("_node_maintenance", "critical")]),
        ]
        let outcome = endpoints(entries)
        #expect(outcome.endpoints.map(\.address) == ["10.0.0.1"])
        #expect(outcome.unhealthy == 4)
        var options = ConsulDiscoveryOptions()
        options.includeWarningInstances = true
        #expect(endpoints(entries, options: options).endpoints.map(\.address) == ["10.0.0.1", "10.0.0.2"])
    }

    @Test func addressesLabelsAndWeights() throws {
        let outcome = endpoints([
            try Self.entry("a", nodeAddress: "10.0.0.9", tags: ["blue"], weights: (3, 1)),
            try Self.entry("b", address: "10.0.0.2", port: 9090, tags: ["green"], weights: (0, 0)),
        ])
        // The instance without ServiceAddress uses its node's; the one with weight 0 gets no traffic.
        let endpoint = try #require(outcome.endpoints.first)
        #expect(outcome.endpoints.count == 1)
        #expect(endpoint.address == "10.0.0.9" && endpoint.port == 8080 && endpoint.upstreams == [Self.ref])
        #expect(endpoint.metadata.labels == ["tag_blue": "1", "tag_green": "0", "dc_dc1": "1", "dc_dc2": "0"])
        #expect(endpoint.loadBalancingWeight == 3 && endpoint.datacenter == "dc1" && endpoint.healthStatus == .healthy)
    }

    @Test func hostnamesResolveToEveryAddressAndUnresolvedOnesWait() throws {
        let entries = [try Self.entry("a", address: "web.internal"), try Self.entry("b", address: "gone.internal")]
        let outcome = endpoints(entries) { $0 == "web.internal" ? ["10.1.0.1", "10.1.0.2"] : nil }
        #expect(outcome.endpoints.map(\.address) == ["10.1.0.1", "10.1.0.2"])
        #expect(outcome.endpoints.allSatisfy { $0.hostname == "web.internal" })
        #expect(Set(outcome.endpoints.map(\.metadata.name)).count == 2)
        #expect(outcome.unresolved == ["gone.internal"])
    }

    @Test func theResolverKeepsTheLastGoodAnswer() async {
        let answers = LockedAnswers(["a.internal": ["10.0.0.1"]])
        let resolver = HostnameResolver { answers.value[$0] }
        #expect(await resolver.refresh(["a.internal"]) == ["a.internal"])
        #expect(await resolver.refresh(["a.internal"]).isEmpty, "the same answer is no change")
        answers.value = [:]
        #expect(await resolver.refresh(["a.internal"]).isEmpty)
        #expect(resolver.cached("a.internal") == ["10.0.0.1"], "a failed lookup keeps the last good answer")
        answers.value = ["a.internal": ["10.0.0.2"]]
        #expect(await resolver.refresh(["a.internal"]) == ["a.internal"])
        #expect(resolver.cached("a.internal") == ["10.0.0.2"])
        #expect(await HostnameResolver.systemLookup("localhost")?.contains("127.0.0.1") == true)
    }
}

/// Answers a test changes while the resolver reads them.
final class LockedAnswers: Sendable {
    private let answers: Mutex<[String: [String]]>
    init(_ answers: [String: [String]]) { self.answers = Mutex(answers) }
    var value: [String: [String]] {
        get { answers.withLock { $0 } }
        set { answers.withLock { $0 = newValue } }
    }
}
