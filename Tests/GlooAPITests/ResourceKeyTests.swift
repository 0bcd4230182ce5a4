import Testing

@testable import GlooAPI

@Suite struct ResourceKeyTests {
    @Test func parsesAndFormatsBothWays() throws {
        let key = try ResourceKey.parse("gloo/gateway.solo.io/v1/VirtualService/gloo-system/default").get()
        #expect(key.kind == .virtualService)
        #expect(key.namespace == "gloo-system")
        #expect(key.name == "default")
        #expect(key.key == "gloo/gateway.solo.io/v1/VirtualService/gloo-system/default")
    }

    @Test func customRootKeyWithSeveralSegments() throws {
        let key = try ResourceKey.parse("teams/edge/gloo.solo.io/v1/Upstream/ns/a", rootKey: "teams/edge").get()
        #expect(key.key == "teams/edge/gloo.solo.io/v1/Upstream/ns/a")
        #expect(throws: KeyLayoutError.self) { try ResourceKey.parse("gloo/gloo.solo.io/v1/Upstream/ns/a", rootKey: "teams/edge").get() }
    }

    @Test func namespacePrefixEndsWithSlash() {
        #expect(ResourceKey.namespacePrefix(kind: .upstream, namespace: "gloo") == "gloo/gloo.solo.io/v1/Upstream/gloo/")
    }

    @Test func fileKeys() {
        #expect(DirectoryStore.key(forFile: "examples/consul-kv/gloo/gloo.solo.io/v1/Upstream/ns/a.yaml")
            == "gloo/gloo.solo.io/v1/Upstream/ns/a")
        #expect(DirectoryStore.key(forFile: "/tmp/x/gloo/gateway.solo.io/v1/Gateway/gw.json") == "gloo/gateway.solo.io/v1/Gateway/gw")
    }
}
