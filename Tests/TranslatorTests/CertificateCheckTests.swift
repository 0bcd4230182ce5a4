import Crypto
import Foundation
import GlooAPI
import Testing
import X509

@testable import Translator

@Suite struct CertificateCheckTests {
    static let now = Date(timeIntervalSince1970: 1_798_761_600)

    /// A self-signed P-256 certificate valid from `notBefore` to `notAfter`, and its key, as PEM.
    static func certificate(notBefore: Date, notAfter: Date) throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("test.example.com") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: name, subject: name,
            extensions: Certificate.Extensions {}, issuerPrivateKey: .init(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }

    func problems(_ tls: TlsSecret) -> [String] {
        CertificateCheck.problems(tls, at: Self.now.timeIntervalSince1970).map { "\($0.severity.rawValue) \($0.fieldPath): \($0.reason)" }
    }

    @Test func aValidPairHasNoProblems() throws {
        let pair = try Self.certificate(notBefore: Self.now - 3600, notAfter: Self.now + 90 * 86400)
        #expect(problems(TlsSecret(certChain: pair.certificate, privateKey: SensitiveString(pair.key))).isEmpty)
    }

    @Test func keyOfAnotherCertificateIsAnError() throws {
        let pair = try Self.certificate(notBefore: Self.now - 3600, notAfter: Self.now + 90 * 86400)
        let other = try Self.certificate(notBefore: Self.now - 3600, notAfter: Self.now + 90 * 86400)
        let found = problems(TlsSecret(certChain: pair.certificate, privateKey: SensitiveString(other.key)))
        #expect(found == ["error tls.privateKey: does not belong to the first certificate of certChain"])
    }

    @Test func validityWindow() throws {
        let expired = try Self.certificate(notBefore: Self.now - 86400 * 30, notAfter: Self.now - 60)
        #expect(problems(TlsSecret(certChain: expired.certificate, privateKey: SensitiveString(expired.key))).first?
            .hasPrefix("error tls.certChain: certificate expired at") == true)
        let future = try Self.certificate(notBefore: Self.now + 3600, notAfter: Self.now + 86400 * 30)
        #expect(problems(TlsSecret(certChain: future.certificate, privateKey: SensitiveString(future.key))).first?
            .hasPrefix("error tls.certChain: certificate is not valid before") == true)
        let soon = try Self.certificate(notBefore: Self.now - 86400, notAfter: Self.now + 86400 * 3)
        #expect(problems(TlsSecret(certChain: soon.certificate, privateKey: SensitiveString(soon.key))).first?
            .hasPrefix("warning tls.certChain: certificate expires at") == true)
    }

    @Test func garbageIsReportedWithoutEchoingIt() {
        let found = problems(TlsSecret(certChain: "not a cert", privateKey: SensitiveString("super-secret-key-material")))
        #expect(found.contains("error tls.certChain: holds no PEM certificate"))
        #expect(found.contains("error tls.privateKey: not a PEM private key Envoy can use"))
        #expect(!found.joined().contains("super-secret"))
    }

    @Test func aRejectedSecretRejectsTheVirtualServiceThatUsesIt() throws {
        let expired = try Self.certificate(notBefore: Self.now - 86400 * 30, notAfter: Self.now - 60)
        var resources = IssuedCertificateTranslationTests.resources(.secretRef(ResourceRef(name: "tls", namespace: "ns")))
        resources.secrets = [Secret(metadata: Metadata(name: "tls", namespace: "ns"),
                                    content: .tls(TlsSecret(certChain: expired.certificate, privateKey: SensitiveString(expired.key))))]
        let result = Translator().translate(ApiSnapshot(resources: resources, takenAt: Self.now.timeIntervalSince1970))
        #expect(result.reports.byKey["gloo/gloo.solo.io/v1/Secret/ns/tls"]?.state == .rejected)
        #expect(result.reports.byKey["gloo/gateway.solo.io/v1/VirtualService/ns/site"]?.errors == ["sslConfig: Secret ns/tls is rejected (see its report)"])
        #expect(result.proxies.first?.envoy.secrets.isEmpty ?? true, "the expired certificate is never sent to Envoy")
    }
}
