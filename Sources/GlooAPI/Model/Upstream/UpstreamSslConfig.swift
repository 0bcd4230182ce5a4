/// TLS from Envoy to an upstream (`sslConfig` on an Upstream).
public struct UpstreamSslConfig: Hashable, Sendable, Codable {
    public var source: SslSource?
    public var sni: String
    public var verifySubjectAltName: [String]
    public var parameters: SslParameters?
    public var alpnProtocols: [String]
    public var allowRenegotiation: Bool?
    public var oneWayTls: Bool?

    public init(source: SslSource?, sni: String = "") {
        self.source = source
        self.sni = sni
        self.verifySubjectAltName = []
        self.alpnProtocols = []
    }
}

/// Where TLS material comes from: a Secret, files on the proxy, Gloo's SDS server, or (our
/// extension) a certificate the controller has Vault PKI issue.
public indirect enum SslSource: OneOf {
    case secretRef(ResourceRef)
    case sslFiles(SslFiles)
    case sds(UnenforceableOption)
    case vaultPki(VaultPkiCertificate)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["secretRef", "sslFiles", "sds", "vaultPki"])
        switch reader.name {
        case "secretRef": self = .secretRef(try reader.decode())
        case "sslFiles": self = .sslFiles(try reader.decode())
        case "vaultPki": self = .vaultPki(try reader.decode())
        default: self = .sds(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .secretRef(let value): try encoder.encodeOneOf("secretRef", value)
        case .sslFiles(let value): try encoder.encodeOneOf("sslFiles", value)
        case .sds(let value): try encoder.encodeOneOf("sds", value)
        case .vaultPki(let value): try encoder.encodeOneOf("vaultPki", value)
        }
    }
}

/// Paths of PEM files on the Envoy host.
public struct SslFiles: Hashable, Sendable, Codable {
    public var tlsCert: String
    public var tlsKey: String
    public var rootCa: String
    public var ocspStaple: String
}

/// TLS protocol versions and ciphers.
public struct SslParameters: Hashable, Sendable, Codable {
    public enum ProtocolVersion: String, ProtoEnum {
        case tlsAuto = "TLS_AUTO"
        case tlsV1_0 = "TLSv1_0"
        case tlsV1_1 = "TLSv1_1"
        case tlsV1_2 = "TLSv1_2"
        case tlsV1_3 = "TLSv1_3"
    }

    public var minimumProtocolVersion: ProtocolVersion?
    public var maximumProtocolVersion: ProtocolVersion?
    public var cipherSuites: [String]
    public var ecdhCurves: [String]
}
