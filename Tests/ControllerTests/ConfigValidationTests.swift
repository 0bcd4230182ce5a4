import Foundation
import GlooAPI
import HashiTestServers
import Testing

@testable import Controller

@Suite struct ConfigValidationTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/consul-kv").path

    @Test func examplesValidateClean() async {
        let report = await ConfigValidation.validate(paths: [Self.examples], externalSecrets: true)
        #expect(report.findings.isEmpty)
        #expect(report.resourceCount == 9)
    }

    @Test func oneBrokenFileIsNamedByKeyAndField() async throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        try fixture.copyTree(from: Self.examples)
        let key = "gloo/gateway.solo.io/v1/RouteTable/gloo-system/store"
        let original = try String(contentsOfFile: "\(fixture.directory)/\(key).yaml", encoding: .utf8)
        try fixture.write(key, original.replacingOccurrences(of: "timeout: 5s", with: "timeout: 5 seconds"))
        let report = await ConfigValidation.validate(paths: [fixture.directory], externalSecrets: true)
        let errors = report.findings.filter { $0.severity == .error }
        #expect(errors.count >= 1)
        #expect(errors.first?.key == key)
        #expect(errors.first?.fieldPath == "routes[0].options.timeout")
        // The VirtualService delegating to the rejected table now points at nothing: also reported.
        #expect(errors.contains { $0.key.hasSuffix("VirtualService/gloo-system/default") && $0.reason.contains("RouteTable gloo-system/store not found") })
    }

    @Test func singleFilesAndMissingPaths() async {
        let file = Self.examples + "/gloo/gloo.solo.io/v1/Upstream/gloo-system/petstore.yaml"
        let report = await ConfigValidation.validate(paths: [file, "/nonexistent/path"])
        #expect(report.resourceCount == 1)
        #expect(report.findings.map(\.key) == ["/nonexistent/path"])
    }
}
