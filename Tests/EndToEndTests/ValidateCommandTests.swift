import Foundation
import HashiTestServers
import Testing

/// Runs the built `gloo-hashi` binary as users do.
@Suite struct ValidateCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The binary `swift build` produced (override with GLOO_HASHI_BINARY).
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["GLOO_HASHI_BINARY"] { return path }
        let candidates = [".build/debug/gloo-hashi", ".build/release/gloo-hashi"].map { packageRoot + "/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary, "build gloo-hashi first"))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func examplesExitZero() throws {
        let result = try run(["validate", Self.packageRoot + "/examples/consul-kv"])
        #expect(result.status == 0)
        #expect(result.output.contains("5 resources valid, 0 errors, 0 warnings"))
    }

    @Test func brokenTreeExitsNonZeroNamingKeyAndField() throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        try fixture.copyTree(from: Self.packageRoot + "/examples/consul-kv")
        try fixture.write("gloo/gloo.solo.io/v1/Upstream/gloo-system/echo", "static:\n  hosts:\n  - addr: 127.0.0.1\n    prot: 8091\n")
        let result = try run(["validate", fixture.directory])
        #expect(result.status == 1)
        #expect(result.output.contains(
            "error: gloo/gloo.solo.io/v1/Upstream/gloo-system/echo: static.hosts[0].prot: unknown field 'prot'; did you mean 'port'?"))
    }

    @Test func strictFailsOnWarnings() throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        try fixture.copyTree(from: Self.packageRoot + "/examples/consul-kv")
        try fixture.write("gloo/gloo.solo.io/v1/Upstream/gloo-system/echo",
                          "static: {hosts: [{addr: 127.0.0.1, port: 8091}]}\nfailover: {prioritizedLocalities: []}\n")
        #expect(try run(["validate", fixture.directory]).status == 0)
        let strict = try run(["validate", "--strict", fixture.directory])
        #expect(strict.status == 1)
        #expect(strict.output.contains("warning: gloo/gloo.solo.io/v1/Upstream/gloo-system/echo: failover: 'failover' is not supported"))
    }

    @Test func versionPrints() throws {
        let result = try run(["version"])
        #expect(result.status == 0 && result.output.hasPrefix("gloo-hashi "))
    }
}
