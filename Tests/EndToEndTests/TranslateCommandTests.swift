import Foundation
import HashiTestServers
import Testing

@Suite struct TranslateCommandTests {
    static let tlsTree = GlooHashiBinary.packageRoot + "/Tests/TranslatorTests/Golden/tls/input"

    @Test func printsEnvoyResourcesWithPrivateKeysRedacted() throws {
        let result = try GlooHashiBinary.run(["translate", "--config-dir", Self.tlsTree])
        #expect(result.status == 1, "a rejected VirtualService makes translate exit 1")
        let document = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let proxies = try #require(document?["proxies"] as? [String: Any])
        #expect(proxies.keys.sorted() == ["gloo-system~gateway-proxy"])
        #expect(result.output.contains("[redacted]"))
        #expect(!result.output.contains("PRIVATE KEY"), "no key material")
        let reports = try #require(document?["reports"] as? [[String: Any]])
        #expect(reports.contains { ($0["key"] as? String)?.hasSuffix("VirtualService/gloo-system/missing-secret") == true })
    }

    @Test func yamlAndProxySelection() throws {
        // The examples with their certificate in the tree (users keep it in Vault, examples/vault/).
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        try fixture.copyTree(from: GlooHashiBinary.packageRoot + "/examples/consul-kv")
        let issued = try TestCertificateAuthority().issue(commonName: "secure.example.com", validity: 90 * 86400)
        let indent = { (pem: String) in pem.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") }
        _ = try fixture.write("gloo/gloo.solo.io/v1/Secret/gloo-system/gateway-tls",
                              "tls:\n  certChain: |\n\(indent(issued.certificatePEM))\n  privateKey: |\n\(indent(issued.privateKeyPEM))\n")
        let result = try GlooHashiBinary.run(["translate", "--config-dir", fixture.directory, "--proxy", "gateway-proxy", "-o", "yaml"])
        #expect(result.status == 0)
        #expect(result.output.contains("gloo-system~gateway-proxy:"))
        #expect(result.output.contains("route_config_name: listener-::-8080-routes"))
        #expect(result.output.contains("gateway-tls_gloo-system"), "the SSL gateway serves the certificate over SDS")
        let none = try GlooHashiBinary.run([
            "translate", "--config-dir", GlooHashiBinary.packageRoot + "/examples/consul-kv", "--proxy", "other",
        ])
        #expect(none.output.contains("\"proxies\" : {\n\n  }") || none.output.contains("\"proxies\" : {}"))
    }
}
