import Testing

@testable import GlooAPI

/// Each kind of bad input is one clear finding naming the key, and never stops the rest loading.
@Suite struct BadInputTests {
    let good = KVEntry(
        key: "gloo/gloo.solo.io/v1/Upstream/gloo-system/good",
        value: Array("static: {hosts: [{addr: 10.0.0.1, port: 80}]}".utf8), version: 1)

    /// Decodes `bad` next to a valid Upstream and returns the findings for `bad`'s key.
    func findings(key: String, _ value: [UInt8]) -> [Finding] {
        var decoder = KVTreeDecoder()
        let listing = decoder.decode(KVListing(entries: [good, KVEntry(key: key, value: value, version: 2)], index: 2))
        #expect(listing.resources.upstreams.map(\.metadata.name) == ["good"], "the valid resource still loads")
        return listing.findings.filter { $0.key == key }
    }

    func findings(key: String = "gloo/gloo.solo.io/v1/Upstream/gloo-system/bad", _ text: String) -> [Finding] {
        findings(key: key, Array(text.utf8))
    }

    @Test func truncatedYAML() throws {
        let found = try #require(findings("static:\n  hosts: [{addr: 1.2.3.4, port: 80}\n").first)
        #expect(found.severity == .error)
        #expect(found.reason.contains("invalid YAML"))
        #expect(found.reason.contains("line"))
    }

    @Test func wrongType() {
        let found = findings("static: {hosts: [{addr: 1.2.3.4, port: [80]}]}")
        #expect(found.map(\.fieldPath) == ["static.hosts[0].port"])
        #expect(found.first?.reason == "expected an integer, found a list")
    }

    @Test func unknownFieldsAreAllNamed() {
        let found = findings("static: {hosts: [{adr: 1.2.3.4, port: 80}]}\nsslconfig: {}\n")
        #expect(found.map(\.fieldPath).sorted() == ["sslconfig", "static.hosts[0].adr"])
        #expect(found.contains { $0.reason.contains("did you mean 'addr'?") })
        #expect(found.contains { $0.reason.contains("did you mean 'sslConfig'?") })
    }

    @Test func emptyNamespaceInKey() {
        let found = findings(key: "gloo/gloo.solo.io/v1/Upstream//bad", "static: {hosts: []}")
        #expect(found.first?.reason == "namespace may not be empty")
    }

    @Test func nameWithSlash() {
        let found = findings(key: "gloo/gloo.solo.io/v1/Upstream/gloo-system/a/b", "static: {hosts: []}")
        #expect(found.first?.reason.contains("names may not contain '/'") == true)
    }

    @Test func duplicateKeys() {
        let found = findings("static: {hosts: []}\nstatic: {hosts: []}\n")
        #expect(found.first?.reason.contains("duplicate key 'static'") == true)
        let spellings = findings("static: {hosts: [], use_tls: true, useTls: false}")
        #expect(spellings.first?.reason.contains("field given twice") == true)
    }

    @Test func nonUTF8Bytes() {
        let found = findings(key: "gloo/gloo.solo.io/v1/Upstream/gloo-system/bad", [0x61, 0x3a, 0x20, 0xff, 0xfe])
        #expect(found.first?.reason == "value is not valid UTF-8 (byte 3)")
    }

    @Test func valueOverConsulLimit() {
        let found = findings(key: "gloo/gloo.solo.io/v1/Upstream/gloo-system/bad", Array(repeating: 0x20, count: 600 * 1024))
        #expect(found.first?.reason.contains("600 KiB") == true)
    }

    @Test func keysOutsideTheLayout() {
        let noNamespace = findings(key: "gloo/gateway.solo.io/v1/Gateway/gateway-proxy", "bindPort: 8080")
        #expect(noNamespace.first?.reason.contains("no namespace segment") == true)
        let unknownKind = findings(key: "gloo/gloo.solo.io/v1/Upstreams/gloo-system/x", "{}")
        #expect(unknownKind.first?.reason.contains("unknown kind") == true)
        let badName = findings(key: "gloo/gloo.solo.io/v1/Upstream/gloo-system/-x", "{}")
        #expect(badName.first?.reason.contains("must start and end with a letter or digit") == true)
    }

    @Test func metadataContradictingTheKey() {
        let found = findings("metadata: {name: other, namespace: gloo-system}\nstatic: {hosts: [{addr: 1.1.1.1, port: 80}]}")
        #expect(found.map(\.fieldPath) == ["metadata.name"])
    }

    @Test func aliasBombIsRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<8 { text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let found = findings(text)
        #expect(found.first?.reason.contains("expands to more than") == true)
    }

    @Test func oneofWithTwoCases() {
        let found = findings("static: {hosts: []}\nconsul: {serviceName: a}")
        #expect(found.first?.reason.contains("only one of") == true)
    }

    /// Envoy refuses a RouteConfiguration that adds or removes a pseudo-header, `host` or a name
    /// that is not a token, which would take every VirtualService on it down: the one resource is
    /// rejected instead, naming the field (Gloo's rule).
    @Test func headerMutationsEnvoyWouldRefuseRejectTheirResource() {
        let key = "gloo/gateway.solo.io/v1/VirtualService/gloo-system/headers"
        let found = findings(key: key, """
            virtualHost:
              domains: [a.example.com]
              options:
                headerManipulation:
                  requestHeadersToAdd: [{header: {key: ':path', value: /admin}}, {header: {key: x-ok, value: '1'}}, {append: true}]
                  responseHeadersToRemove: [Host, 'bad name']
            """)
        #expect(found.map(\.fieldPath).sorted() == [
            "virtualHost.options.headerManipulation.requestHeadersToAdd[0].header.key",
            "virtualHost.options.headerManipulation.requestHeadersToAdd[2]",
            "virtualHost.options.headerManipulation.responseHeadersToRemove[0]",
            "virtualHost.options.headerManipulation.responseHeadersToRemove[1]",
        ])
        #expect(found.allSatisfy { $0.severity == .error })
        #expect(found.contains { $0.reason.contains("':'-prefixed and host headers may not be modified (':path')") })
        #expect(found.contains { $0.reason == "'bad name' is not a valid header name" })
    }
}
