import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority for tests: a self-signed P-256 CA that issues real server and client
/// certificates (for the test servers' TLS, and for Vault PKI).
public struct TestCertificateAuthority: Sendable {
    /// An issued certificate: the leaf PEM, its private key PEM, and its serial in hex.
    public struct Issued: Sendable, Hashable {
        public var certificatePEM: String
        public var privateKeyPEM: String
        public var serialNumber: String
    }

    public let certificatePEM: String
    private let certificate: Certificate
    private let key: P256.Signing.PrivateKey

    public init(commonName: String = "gloo-hashi test CA") throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 10 * 365 * 86400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
        self.key = key
        self.certificate = certificate
        self.certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// Issues a leaf for `commonName` with DNS and IP subject alternative names, valid for `validity`.
    public func issue(
        commonName: String, dnsNames: [String] = [], ipAddresses: [String] = [], validity: TimeInterval = 86400
    ) throws -> Issued {
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        var names: [GeneralName] = dnsNames.map { .dnsName($0) }
        for address in ipAddresses {
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(try Self.ipBytes(address)))))
        }
        let serial = Certificate.SerialNumber()
        let leaf = try Certificate(
            version: .v3, serialNumber: serial, publicKey: .init(leafKey.publicKey),
            notValidBefore: now - 60, notValidAfter: now + validity, issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(key))
        return Issued(certificatePEM: try leaf.serializeAsPEM().pemString, privateKeyPEM: leafKey.pemRepresentation,
                      serialNumber: serial.bytes.map { String(format: "%02x", $0) }.joined(separator: ":"))
    }

    private static func ipBytes(_ address: String) throws -> [UInt8] {
        let parts = address.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { throw CertificateError.invalidAddress(address) }
        return parts
    }

    enum CertificateError: Error { case invalidAddress(String) }
}
