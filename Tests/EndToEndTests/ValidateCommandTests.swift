import Foundation
import HashiTestServers
import Testing

/// Runs the built `gloo-hashi` binary as users do.
@Suite struct ValidateCommandTests {
    @Test func examplesExitZeroWithTheirSecretInVault() throws {
        let result = try GlooHashiBinary.run(["validate", "--external-secrets", "--strict", GlooHashiBinary.packageRoot + "/examples/consul-kv"])
        #expect(result.status == 0)
        #expect(result.output.contains("9 resources valid, 0 errors, 0 warnings"))
        // Without the flag the SSL VirtualService's certificate is looked for in the tree.
        let alone = try GlooHashiBinary.run(["validate", GlooHashiBinary.packageRoot + "/examples/consul-kv"])
        #expect(alone.status == 1)
        #expect(alone.output.contains(
            "error: gloo/gateway.solo.io/v1/VirtualService/gloo-system/secure: sslConfig.secretRef: Secret gloo-system/gateway-tls not found"))
    }

    @Test func brokenTreeExitsNonZeroNamingKeyAndField() throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        try fixture.copyTree(from: GlooHashiBinary.packageRoot + "/examples/consul-kv")
        try fixture.write("gloo/gloo.solo.io/v1/Upstream/gloo-system/echo", "static:\n  hosts:\n  - addr: 127.0.0.1\n    prot: 8091\n")
        let result = try GlooHashiBinary.run(["validate", fixture.directory])
        #expect(result.status == 1)
        #expect(result.output.contains(
            "error: gloo/gloo.solo.io/v1/Upstream/gloo-system/echo: static.hosts[0].prot: unknown field 'prot'; did you mean 'port'?"))
    }

    @Test func strictFailsOnWarnings() throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        try fixture.copyTree(from: GlooHashiBinary.packageRoot + "/examples/consul-kv")
        try fixture.write("gloo/gloo.solo.io/v1/Upstream/gloo-system/echo",
                          "static: {hosts: [{addr: 127.0.0.1, port: 8091}]}\nfailover: {prioritizedLocalities: []}\n")
        #expect(try GlooHashiBinary.run(["validate", "--external-secrets", fixture.directory]).status == 0)
        let strict = try GlooHashiBinary.run(["validate", "--external-secrets", "--strict", fixture.directory])
        #expect(strict.status == 1)
        #expect(strict.output.contains("warning: gloo/gloo.solo.io/v1/Upstream/gloo-system/echo: failover: 'failover' is not supported"))
    }

    @Test func versionPrints() throws {
        let result = try GlooHashiBinary.run(["version"])
        #expect(result.status == 0 && result.output.hasPrefix("gloo-hashi "))
    }
}
