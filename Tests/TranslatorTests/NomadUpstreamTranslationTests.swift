import EnvoyAPI
import GlooAPI
import Testing

@testable import Translator

/// `nomad` Upstreams: an EDS cluster fed by discovered instances of their namespace, selected by tags.
@Suite struct NomadUpstreamTranslationTests {
    @Test func instancesOfTheNamespaceWithTheTagsOnly() throws {
        var resources = ResourceSet()
        resources.gateways = [Gateway(metadata: Metadata(name: "http", namespace: "ns"), bindPort: 8080, gatewayType: .httpGateway(HttpGateway()))]
        let ref = ResourceRef(name: "web-prod-v2", namespace: "ns")
        resources.upstreams = [Upstream(metadata: Metadata(name: ref.name, namespace: ref.namespace),
                                        upstreamType: .nomad(NomadUpstream(serviceName: "web", tags: ["v2"], namespace: "prod")))]
        func endpoint(_ address: String, namespace: String, tags: [String]) -> Endpoint {
            var labels = ["nomad_namespace": namespace]
            for tag in tags { labels["tag_\(tag)"] = "1" }
            return Endpoint(metadata: Metadata(name: address, namespace: "ns", labels: labels), upstreams: [ref], address: address, port: 80)
        }
        let snapshot = ApiSnapshot(resources: resources, endpoints: [
            endpoint("10.0.0.1", namespace: "prod", tags: ["v2"]),
            endpoint("10.0.0.2", namespace: "prod", tags: ["v1"]),
            endpoint("10.0.0.3", namespace: "", tags: ["v2"]),
        ])
        let result = Translator().translate(snapshot)
        let envoy = try #require(result.proxies.first?.envoy)
        let cluster = try #require(envoy.clusters.first { $0.name == EnvoyNames.cluster(ref) })
        #expect(cluster.type == .eds)
        let assignment = try #require(envoy.loadAssignments.first { $0.clusterName == cluster.name })
        #expect(assignment.endpoints.flatMap { $0.lbEndpoints }.map { $0.endpoint.address.socketAddress.address } == ["10.0.0.1"])
    }
}
