import Foundation
import GlooAPI
import Testing

@testable import Translator

/// `sslConfig.vaultPki`: the issued certificate travels as its own SDS Secret; a missing one
/// rejects only its VirtualService; a failing renewal or a secret kept at its last good version
/// warns on the VirtualService that uses it.
@Suite struct IssuedCertificateTranslationTests {
    static let request = VaultPkiCertificate(role: "gateway", commonName: "pki.example.com")

    static func resources(_ source: SslSource) -> ResourceSet {
        var resources = ResourceSet()
        resources.gateways = [{
            var gateway = Gateway(metadata: Metadata(name: "https", namespace: "ns"), bindPort: 8443, gatewayType: .httpGateway(HttpGateway()))
            gateway.ssl = true
            return gateway
        }()]
        resources.virtualServices = [VirtualService(
            metadata: Metadata(name: "site", namespace: "ns"),
            virtualHost: VirtualHost(domains: ["pki.example.com"], routes: [
                Route(matchers: [], action: .directResponseAction(DirectResponseAction(status: 200)))]),
            sslConfig: SslConfig(source: source))]
        return resources
    }

    static let siteKey = "gloo/gateway.solo.io/v1/VirtualService/ns/site"

    @Test func anIssuedCertificateIsAnSDSSecret() throws {
        let pair = try CertificateCheckTests.certificate(notBefore: CertificateCheckTests.now - 60,
                                                          notAfter: CertificateCheckTests.now + 86400 * 30)
        let issued = IssuedCertificates(certificates: [Self.request: TlsSecret(certChain: pair.certificate, privateKey: SensitiveString(pair.key))],
                                        requests: [Self.request])
        let result = Translator().translate(ApiSnapshot(resources: Self.resources(.vaultPki(Self.request)), issuedCertificates: issued,
                                                        takenAt: CertificateCheckTests.now.timeIntervalSince1970))
        #expect(result.reports.byKey[Self.siteKey]?.state == .accepted)
        let secrets = try #require(result.proxies.first?.envoy.secrets)
        #expect(secrets.map(\.name) == ["vault-pki/pki/gateway/pki.example.com"])
        #expect(secrets.first?.tlsCertificate.privateKey.inlineString == pair.key)

        // A failing renewal keeps the certificate and warns.
        var failing = issued
        failing.problems[Self.request] = "Vault is sealed"
        let warned = Translator().translate(ApiSnapshot(resources: Self.resources(.vaultPki(Self.request)), issuedCertificates: failing,
                                                        takenAt: CertificateCheckTests.now.timeIntervalSince1970))
        #expect(warned.reports.byKey[Self.siteKey]?.state == .warning)
        #expect(warned.reports.byKey[Self.siteKey]?.warnings.first?.contains("Vault is sealed") == true)
        #expect(warned.proxies.first?.envoy.secrets.count == 1)
    }

    @Test func aMissingCertificateRejectsTheVirtualServiceWithTheReason() {
        let issued = IssuedCertificates(problems: [Self.request: "Vault answered 400: unknown role"], requests: [Self.request])
        let result = Translator().translate(ApiSnapshot(resources: Self.resources(.vaultPki(Self.request)), issuedCertificates: issued))
        #expect(result.reports.byKey[Self.siteKey]?.errors
            == ["sslConfig: Vault PKI has not issued the certificate (pki/issue/gateway for pki.example.com): Vault answered 400: unknown role"])
        let invalid = VaultPkiCertificate(role: "", commonName: "pki.example.com")
        let rejected = Translator().translate(ApiSnapshot(resources: Self.resources(.vaultPki(invalid))))
        #expect(rejected.reports.byKey[Self.siteKey]?.errors == ["sslConfig: vaultPki.role is required"])
    }

    @Test func aSecretKeptAtItsLastGoodVersionWarnsItsVirtualService() throws {
        let pair = try CertificateCheckTests.certificate(notBefore: CertificateCheckTests.now - 60,
                                                          notAfter: CertificateCheckTests.now + 86400 * 30)
        let secret = Secret(metadata: Metadata(name: "tls", namespace: "ns"),
                            content: .tls(TlsSecret(certChain: pair.certificate, privateKey: SensitiveString(pair.key))))
        let finding = Finding(.error, key: "gloo/gloo.solo.io/v1/Secret/ns/tls", fieldPath: "tls", reason: "expected an object")
        let result = Translator().translate(ApiSnapshot(
            resources: Self.resources(.secretRef(ResourceRef(name: "tls", namespace: "ns"))), secrets: [secret], findings: [finding],
            takenAt: CertificateCheckTests.now.timeIntervalSince1970))
        #expect(result.reports.byKey[Self.siteKey]?.warnings
            == ["sslConfig: Secret ns/tls keeps its last good version: tls: expected an object"])
        #expect(result.proxies.first?.envoy.secrets.count == 1, "the last good certificate keeps serving")
    }
}
