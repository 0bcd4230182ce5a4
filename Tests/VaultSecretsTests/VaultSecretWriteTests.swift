import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Testing
import VaultSecrets

/// Writing Gloo's Secrets to Vault: check-and-set on the KV version, conflicts named with both
/// versions, invalid secrets refused before any write, delete guarded by the version.
@Suite struct VaultSecretWriteTests {
    static func secret(_ name: String, version: String = "") throws -> Secret {
        let issued = try TestCertificateAuthority().issue(commonName: "\(name).example.com")
        var secret = Secret(metadata: Metadata(name: name, namespace: "gloo-system"),
                            content: .tls(TlsSecret(certChain: issued.certificatePEM, privateKey: SensitiveString(issued.privateKeyPEM))))
        secret.metadata.resourceVersion = version
        return secret
    }

    @Test func putAndDeleteWithCheckAndSetOnKV2() async throws {
        let server = try await VaultTestServer.start()
        let client = try VaultKVTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let store = VaultSecretStore(client: client)
            let ref = ResourceRef(name: "app-tls", namespace: "gloo-system")
            let key = "gloo/gloo.solo.io/v1/Secret/gloo-system/app-tls"

            let created = try await store.put(try Self.secret("app-tls"))
            #expect(created.metadata.resourceVersion == "1")
            let read = try #require(try await store.secret(ref))
            #expect(read.tls == created.tls && read.metadata.resourceVersion == "1", "what is written reads back in Gloo's layout")
            await #expect(throws: StoreError.conflict(key: key, expected: "", actual: "1")) { try await store.put(try Self.secret("app-tls")) }
            let updated = try await store.put(try Self.secret("app-tls", version: "1"))
            #expect(updated.metadata.resourceVersion == "2")
            await #expect(throws: StoreError.conflict(key: key, expected: "1", actual: "2")) {
                try await store.put(try Self.secret("app-tls", version: "1"))
            }

            var broken = try Self.secret("broken")
            broken.content = nil
            let writes = await server.requests().filter { $0.method == "POST" }.count
            await #expect { try await store.put(broken) } throws: { "\($0)".contains("broken: invalid") }
            #expect(await server.requests().filter { $0.method == "POST" }.count == writes, "nothing is written")

            await #expect(throws: StoreError.conflict(key: key, expected: "1", actual: "2")) { try await store.delete(ref, resourceVersion: "1") }
            try await store.delete(ref, resourceVersion: "2")
            #expect(try await store.secret(ref) == nil)
            await #expect(throws: StoreError.notFound(key: key)) { try await store.delete(ref, resourceVersion: nil) }
        }
    }

    @Test func putAndDeleteOnKV1() async throws {
        let server = try await VaultTestServer.start()
        await server.mount("kv1", version: 1)
        let client = try VaultKVTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let store = VaultSecretStore(client: client, layout: GlooVaultLayout(pathPrefix: "kv1"))
            let ref = ResourceRef(name: "app-tls", namespace: "gloo-system")
            #expect(try await store.put(try Self.secret("app-tls")).metadata.resourceVersion == "1")
            await #expect { try await store.put(try Self.secret("app-tls")) } throws: { "\($0)".contains("conflict") }
            _ = try await store.put(try Self.secret("app-tls", version: "1"))
            #expect(try await store.secret(ref) != nil)
            try await store.delete(ref, resourceVersion: nil)
            #expect(try await store.secret(ref) == nil)
        }
    }
}
