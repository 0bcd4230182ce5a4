import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Testing
import VaultSecrets

/// Gloo's Secrets in Vault: the layout, change detection by version, plain entries, KV v1, and a
/// broken value that keeps the last good version serving.
@Suite struct VaultSecretStoreTests {
    static let folder = "gloo/gloo.solo.io/v1/Secret"

    static func glooBody(_ name: String, _ issued: TestCertificateAuthority.Issued) -> [String: Any] {
        ["metadata": ["name": name, "namespace": "gloo-system"],
         "tls": ["certChain": issued.certificatePEM, "privateKey": issued.privateKeyPEM]]
    }

    @Test func readsGlooSecretsAndReReadsDataOnlyWhenTheVersionChanges() async throws {
        let server = try await VaultTestServer.start()
        let clock = ManualClock()
        let client = try VaultKVTests.client(server, clock: clock)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let authority = try TestCertificateAuthority()
            let kv = VaultKV(client: client)
            _ = try await kv.write(mount: "secret", path: "\(Self.folder)/gloo-system/a", data: Self.glooBody("a", try authority.issue(commonName: "a")))
            // Written by hand with the usual file names.
            let plain = try authority.issue(commonName: "b")
            _ = try await kv.write(mount: "secret", path: "\(Self.folder)/gloo-system/b",
                                   data: ["tls.crt": plain.certificatePEM, "tls.key": plain.privateKeyPEM, "ca.crt": authority.certificatePEM])
            let store = VaultSecretStore(client: client, refresh: .seconds(10))
            var listings = store.watchSecrets().makeAsyncIterator()
            /// Lets the watch finish its pass and start the next one.
            func nextPass() async {
                #expect(await clock.waitForSleepers(1))
                clock.advance(by: .seconds(10))
            }
            let first = try #require(try await listings.next())
            #expect(first.secrets.map(\.metadata.name) == ["a", "b"] && first.findings.isEmpty)
            #expect(first.secrets.map(\.metadata.resourceVersion) == ["1", "1"])
            #expect(first.secrets[1].tls?.rootCa == authority.certificatePEM)
            #expect(try await store.secret(ResourceRef(name: "a", namespace: "gloo-system"))?.tls?.certChain.isEmpty == false)

            // Quiet: metadata is read, data is not.
            let reads = await server.requests().filter { $0.path.contains("/data/") }.count
            let metadataReads = await server.requests().filter { $0.path.contains("/metadata/") }.count
            for _ in 0..<3 { await nextPass() }
            #expect(await clock.waitForSleepers(1))
            #expect(await server.requests().filter { $0.path.contains("/data/") }.count == reads)
            #expect(await server.requests().filter { $0.path.contains("/metadata/") }.count > metadataReads)

            // A rotation: only that secret's data is read again.
            let rotated = try authority.issue(commonName: "a")
            _ = try await kv.write(mount: "secret", path: "\(Self.folder)/gloo-system/a", data: Self.glooBody("a", rotated))
            await nextPass()
            let second = try #require(try await listings.next())
            #expect(second.secrets.first?.tls?.certChain == rotated.certificatePEM && second.secrets.first?.metadata.resourceVersion == "2")
            let dataReads = await server.requests().filter { $0.method == "GET" && $0.path.contains("/data/") }.map(\.path)
            #expect(dataReads.filter { $0.hasSuffix("/b") }.count == 1, "b's data was read once: \(dataReads)")

            // A broken new version: reported, and the last good version keeps serving.
            _ = try await kv.write(mount: "secret", path: "\(Self.folder)/gloo-system/a", data: ["tls": "nope"])
            await nextPass()
            let third = try #require(try await listings.next())
            #expect(third.secrets.first?.tls?.certChain == rotated.certificatePEM)
            #expect(third.findings.first?.key == "gloo/gloo.solo.io/v1/Secret/gloo-system/a")
            #expect(!third.findings.description.contains("PRIVATE KEY"), "no key material in findings")

            // Only referenced secrets are read.
            store.setReferenced([ResourceRef(name: "b", namespace: "gloo-system")])
            await nextPass()
            let fourth = try #require(try await listings.next())
            #expect(fourth.secrets.map(\.metadata.name) == ["b"])
        }
    }

    @Test func kvVersionOneMounts() async throws {
        let server = try await VaultTestServer.start()
        let client = try VaultKVTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.mount("legacy", version: 1)
            let issued = try TestCertificateAuthority().issue(commonName: "c")
            try await VaultKV(client: client).writeV1(mount: "legacy", path: "\(Self.folder)/edge/c",
                                                      data: ["tls.crt": issued.certificatePEM, "tls.key": issued.privateKeyPEM])
            let store = VaultSecretStore(client: client, layout: GlooVaultLayout(pathPrefix: "legacy"), refresh: .milliseconds(50))
            var listings = store.watchSecrets().makeAsyncIterator()
            let listing = try #require(try await listings.next())
            #expect(listing.secrets.map(\.metadata.ref) == [ResourceRef(name: "c", namespace: "edge")])
        }
    }
}
