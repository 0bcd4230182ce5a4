import Foundation
import HashiTestServers
import Testing

/// Runs the built `gloo-hashi` binary as users do.
@Suite struct ValidateCommandTests {
    @Test func examplesExitZero() throws {
        let result = try GlooHashiBinary.run(["validate", GlooHashiBinary.packageRoot + "/examples/consul-kv"])
        #expect(result.status == 0)
        #expect(result.output.contains("5 resources valid, 0 errors, 0 warnings"))
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
        #expect(try GlooHashiBinary.run(["validate", fixture.directory]).status == 0)
        let strict = try GlooHashiBinary.run(["validate", "--strict", fixture.directory])
        #expect(strict.status == 1)
        #expect(strict.output.contains("warning: gloo/gloo.solo.io/v1/Upstream/gloo-system/echo: failover: 'failover' is not supported"))
    }

    @Test func versionPrints() throws {
        let result = try GlooHashiBinary.run(["version"])
        #expect(result.status == 0 && result.output.hasPrefix("gloo-hashi "))
    }
}
