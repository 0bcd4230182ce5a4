import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Logging
import Testing
import VaultSecrets
import X509

/// Certificates for `sslConfig.vaultPki`: issued, issued again at two thirds of their lifetime on
/// an injected clock, kept while Vault fails, forgotten when no longer asked for.
@Suite struct VaultPKICertificatesTests {
    static let request = VaultPkiCertificate(role: "gateway", commonName: "app.example.com", altNames: ["www.example.com"],
                                             ttl: ProtoDuration(seconds: 900))

    @Test func issuesRenewsAtTwoThirdsAndKeepsTheLastWhileVaultFails() async throws {
        let server = try await VaultTestServer.start()
        let caPEM = try await server.addPKIRole(role: "gateway", maxTTL: .seconds(3600))
        let client = try VaultKVTests.client(server, attempts: 1)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let issuer = VaultPKICertificates(client: client, logger: Logger(label: "test"))
            let start = Date()
            await issuer.setRequests([Self.request])

            let firstWake = try #require(await issuer.refresh(now: start))
            let first = try #require(await issuer.current.certificates[Self.request])
            let firstSerial = try #require(await issuer.serialNumber(of: Self.request))
            // Renewal is planned at two thirds of the 900 s lifetime.
            #expect(abs(firstWake.timeIntervalSince(start) - 600) < 5)
            let end = try #require(first.certChain.range(of: "-----END CERTIFICATE-----"))
            let leaf = try Certificate(pemEncoded: String(first.certChain[..<end.upperBound]))
            #expect(leaf.issuer == (try Certificate(pemEncoded: caPEM)).subject)
            #expect(first.certChain.contains(caPEM.trimmingCharacters(in: .whitespacesAndNewlines)), "the chain carries the CA")
            #expect(first.privateKey.revealed.contains("PRIVATE KEY"))

            // Half-way: nothing is asked for; past two thirds: a new certificate. Vault's clock moves
            // with the injected one (it dates the expiration).
            await issuer.refresh(now: start + 450)
            #expect(await issuer.serialNumber(of: Self.request) == firstSerial)
            await server.advanceClock(by: .seconds(610))
            await issuer.refresh(now: start + 610)
            let secondSerial = try #require(await issuer.serialNumber(of: Self.request))
            #expect(secondSerial != firstSerial)
            let issues = await server.requests().filter { $0.path == "/v1/pki/issue/gateway" }
            #expect(issues.count == 2)

            // Vault sealed at the next renewal: the last certificate stays, the problem is reported,
            // the retry backs off instead of asking again at once.
            await server.setSealed(true)
            await server.advanceClock(by: .seconds(690))
            let retry = try #require(await issuer.refresh(now: start + 1300))
            #expect(retry.timeIntervalSince(start + 1300) >= 1)
            let failing = await issuer.current
            #expect(failing.certificates[Self.request] != nil && failing.problems[Self.request]?.contains("sealed") == true)
            #expect(failing.problems[Self.request]?.contains("keeps serving") == true)
            let attempts = await server.requests().filter { $0.path == "/v1/pki/issue/gateway" }.count
            await issuer.refresh(now: start + 1300.5)
            #expect(await server.requests().filter { $0.path == "/v1/pki/issue/gateway" }.count == attempts, "no retry before the backoff")

            await server.setSealed(false)
            await issuer.refresh(now: retry)
            #expect(await issuer.current.problems.isEmpty)
            #expect(await issuer.serialNumber(of: Self.request) != secondSerial)

            // No longer asked for: the key is dropped.
            await issuer.setRequests([])
            #expect(await issuer.current.certificates.isEmpty)
        }
    }

    @Test func aRefusedRequestIsReportedAndOthersAreIssued() async throws {
        let server = try await VaultTestServer.start()
        _ = try await server.addPKIRole(role: "gateway")
        let client = try VaultKVTests.client(server, attempts: 1)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let issuer = VaultPKICertificates(client: client, logger: Logger(label: "test"))
            let unknown = VaultPkiCertificate(role: "nobody", commonName: "x.example.com")
            let invalid = VaultPkiCertificate(role: "gateway", commonName: "")
            await issuer.setRequests([Self.request, unknown, invalid])
            await issuer.refresh(now: Date())
            let result = await issuer.current
            #expect(result.certificates.keys.sorted { $0.role < $1.role } == [Self.request])
            #expect(result.problems[unknown]?.contains("unknown role") == true)
            #expect(result.requests == [Self.request, unknown], "an invalid request is never sent to Vault")
        }
    }

    @Test func theStreamDeliversIssuedCertificates() async throws {
        let server = try await VaultTestServer.start()
        _ = try await server.addPKIRole(role: "gateway")
        let client = try VaultKVTests.client(server, attempts: 1)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let issuer = VaultPKICertificates(client: client, logger: Logger(label: "test"))
            var results = issuer.certificates().makeAsyncIterator()
            #expect(await results.next()?.requests.isEmpty == true)
            await issuer.setRequests([Self.request])
            let issued = await results.next()
            #expect(issued?.certificates[Self.request] != nil)
        }
    }

    @Test func renewalSchedule() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var renewal = CertificateRenewal()
        #expect(renewal.isDue(at: start))
        renewal.issued(at: start, expiresAt: start + 3000)
        #expect(renewal.renewAt == start + 2000 && !renewal.isDue(at: start + 1999) && renewal.isDue(at: start + 2000))
        renewal.failed(at: start + 2000)
        renewal.failed(at: start + 2001)
        #expect(renewal.retryAt == start + 2003 && renewal.failures == 2)
        for second in 0..<10 { renewal.failed(at: start + Double(2100 + second)) }
        #expect(renewal.retryAt == start + 2109 + 60, "backoff stops at a minute")
        #expect(renewal.hasExpired(at: start + 3000))
        // A lifetime of nothing still waits a second.
        renewal.issued(at: start, expiresAt: start - 5)
        #expect(renewal.renewAt == start + 1)
    }
}
