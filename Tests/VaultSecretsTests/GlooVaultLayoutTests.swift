import GlooAPI
import Testing

@testable import VaultSecrets

@Suite struct GlooVaultLayoutTests {
    @Test func glooKVv2Paths() {
        let layout = GlooVaultLayout(pathPrefix: "/secret/", rootKey: "gloo")
        let ref = ResourceRef(name: "petstore-tls", namespace: "gloo-system")
        #expect(layout.dataPath(ref) == "/v1/secret/data/gloo/gloo.solo.io/v1/Secret/gloo-system/petstore-tls")
        #expect(layout.metadataPath(ref) == "/v1/secret/metadata/gloo/gloo.solo.io/v1/Secret/gloo-system/petstore-tls")
        #expect(layout.listPath() == "/v1/secret/metadata/gloo/gloo.solo.io/v1/Secret/")
        #expect(layout.listPath(namespace: "gloo-system") == "/v1/secret/metadata/gloo/gloo.solo.io/v1/Secret/gloo-system/")
    }
}
