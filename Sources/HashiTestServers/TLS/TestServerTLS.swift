import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// TLS for a test server: its certificate chain and key (PEM), and optionally a CA whose client
/// certificates it requires (mutual TLS).
public struct TestServerTLS: Sendable {
    public var certificateChainPEM: String
    public var privateKeyPEM: String
    public var clientCAPEM: String?

    public init(certificateChainPEM: String, privateKeyPEM: String, clientCAPEM: String? = nil) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.clientCAPEM = clientCAPEM
    }

    /// A server certificate for 127.0.0.1 and localhost, issued by `authority`.
    public static func localhost(issuedBy authority: TestCertificateAuthority, requireClientCertificates: Bool = false) throws -> TestServerTLS {
        let issued = try authority.issue(commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        return TestServerTLS(certificateChainPEM: issued.certificatePEM, privateKeyPEM: issued.privateKeyPEM,
                             clientCAPEM: requireClientCertificates ? authority.certificatePEM : nil)
    }

    /// A server certificate for the DNS name `name` only (no IP address): clients connecting to
    /// 127.0.0.1 must name it (Consul's `CONSUL_TLS_SERVER_NAME`).
    public static func named(_ name: String, issuedBy authority: TestCertificateAuthority) throws -> TestServerTLS {
        let issued = try authority.issue(commonName: name, dnsNames: [name])
        return TestServerTLS(certificateChainPEM: issued.certificatePEM, privateKeyPEM: issued.privateKeyPEM)
    }

    /// The HTTP/1.1-over-TLS server these settings describe.
    func serverBuilder() throws -> HTTPServerBuilder {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)))
        if let clientCAPEM {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCAPEM.utf8)))
            configuration.certificateVerification = .noHostnameVerification
        }
        return try .tls(.http1(), tlsConfiguration: configuration)
    }
}
