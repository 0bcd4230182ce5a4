import GlooAPI
import Testing

@testable import Controller

/// A hybrid Gateway's matched gateways count like plain ones: the matcher's certificate is read
/// from the secret store, and TCP hosts' Consul services get instance watches.
@Suite struct HybridGatewayInterestTests {
    static func resources() throws -> ResourceSet {
        let yaml = """
            bindPort: 8080
            hybridGateway:
              matchedGateways:
              - matcher: {sslConfig: {secretRef: {name: edge-tls}, sniDomains: [a.example.com]}}
                httpGateway: {}
              - matcher: {sourcePrefixRanges: [{addressPrefix: 10.0.0.0, prefixLen: 8}]}
                tcpGateway:
                  tcpHosts: [{name: db, destination: {single: {consul: {serviceName: postgres}}}}]
            """
        let key = ResourceKey(rootKey: "gloo", kind: .gateway, namespace: "edge", name: "hybrid")
        let decoded = ResourceCodec.decode(Gateway.self, from: Array(yaml.utf8), key: key)
        var resources = ResourceSet()
        resources.gateways = [try #require(decoded.resource, "\(decoded.problems)")]
        return resources
    }

    @Test func theMatchersSecretIsReferencedInTheGatewaysNamespace() throws {
        #expect(SecretInterestPlan.referenced(try Self.resources(), discovered: []) == [ResourceRef(name: "edge-tls", namespace: "edge")])
    }

    @Test func aMatchedTcpGatewaysConsulServiceIsWatched() throws {
        let interest = DiscoveryInterestPlan.interest(try Self.resources(), discovered: [])
        #expect(interest.services == ["postgres": []])
    }
}
