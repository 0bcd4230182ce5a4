import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Testing
import VaultSecrets
import X509

/// Certificates issued by Vault PKI (the test server signs real ones with its CA).
@Suite struct VaultPKITests {
    @Test func issuesRealCertificatesFromARole() async throws {
        let server = try await VaultTestServer.start()
        let caPEM = try await server.addPKIRole(role: "gateway", maxTTL: .seconds(3600))
        let client = try VaultKVTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let pki = VaultPKI(client: client)
            let issued = try await pki.issue(mount: "pki", role: "gateway", commonName: "app.example.com", altNames: ["www.example.com"],
                                             ttl: .seconds(7200))
            let certificate = try Certificate(pemEncoded: issued.certificate)
            let authority = try Certificate(pemEncoded: caPEM)
            #expect(certificate.issuer == authority.subject)
            let names = try certificate.extensions.subjectAlternativeNames.map { Array($0) } ?? []
            #expect(names.contains(.dnsName("www.example.com")) && names.contains(.dnsName("app.example.com")))
            // The role caps the TTL: asked for 2 h, issued for at most 1 h.
            #expect(issued.expiration - Date().timeIntervalSince1970 <= 3600 + 5)
            #expect(issued.caChain == [caPEM] && !issued.serialNumber.isEmpty)
            #expect(issued.privateKey.revealed.contains("PRIVATE KEY") && !"\(issued.privateKey)".contains("PRIVATE KEY"))
            await #expect { try await pki.issue(mount: "pki", role: "nobody", commonName: "x") } throws: {
                "\($0)".contains("unknown role")
            }
        }
    }
}
