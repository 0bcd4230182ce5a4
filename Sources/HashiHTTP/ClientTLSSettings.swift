import AsyncHTTPClient
import Foundation
import NIOSSL

/// The TLS settings HashiCorp clients share (Consul's `CONSUL_CACERT`..., Vault's
/// `VAULT_CACERT`...): trusted CAs from a file or a directory of PEM files, a client certificate
/// and key, a server name other than the address, or no verification at all.
public struct ClientTLSSettings: Sendable, Hashable {
    /// A CA bundle file, or a directory of `.pem`/`.crt` files.
    public var caFile: String?
    public var caDirectory: String?
    public var clientCertificate: String?
    public var clientKey: String?
    /// Verify the server as this name (and send it as SNI) while connecting to the address.
    public var serverName: String?
    public var insecureSkipVerify = false

    public init(caFile: String? = nil, caDirectory: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil,
                serverName: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }

    /// Sets up `http` for `baseURL` (an `https://` URL) and returns the URL prefix to send
    /// requests to: the server name as host when one is set, resolved to the address's host.
    public func apply(to http: inout HTTPClient.Configuration, baseURL: String) throws -> String {
        var tls = TLSConfiguration.makeClientConfiguration()
        var roots: [NIOSSLCertificate] = []
        for path in [caFile, caDirectory].compactMap({ $0 }) {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".pem") || $0.hasSuffix(".crt") }
                roots += try files.sorted().flatMap { try NIOSSLCertificate.fromPEMFile(path + "/" + $0) }
            } else {
                roots += try NIOSSLCertificate.fromPEMFile(path)
            }
        }
        if !roots.isEmpty { tls.trustRoots = .certificates(roots) }
        if let clientCertificate, let clientKey {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKey, format: .pem))
        }
        if insecureSkipVerify { tls.certificateVerification = .none }
        http.tlsConfiguration = tls
        guard let serverName, let url = URL(string: baseURL), let host = url.host else { return baseURL }
        http.dnsOverride = [serverName: host]
        return "https://\(serverName)" + (url.port.map { ":\($0)" } ?? "")
    }
}
