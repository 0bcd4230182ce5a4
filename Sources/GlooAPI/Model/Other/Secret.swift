/// Key material (`gloo.solo.io/v1/Secret`): TLS certificates, header values, API keys.
///
/// Private parts are `SensitiveString`s: printing a Secret never shows them.
public struct Secret: Resource {
    public static let kind = ResourceKind.secret

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    public var content: SecretContent?

    public init(metadata: Metadata, content: SecretContent) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.content = content
    }

    /// The TLS material, if this is a TLS secret.
    public var tls: TlsSecret? {
        if case .tls(let tls) = content { return tls }
        return nil
    }

    public func semanticProblems() -> [FieldProblem] {
        content == nil
            ? [FieldProblem(.error, fieldPath: "", reason: "a Secret needs one of tls, header, apiKey, credentials, ...")]
            : []
    }
}

/// The `kind` oneof of a Secret.
public indirect enum SecretContent: OneOf {
    case tls(TlsSecret)
    case header(HeaderSecret)
    case apiKey(ApiKeySecret)
    case credentials(CredentialsSecret)
    /// Kinds only Gloo's enterprise plugins use (aws, azure, oauth, encryption, extensions).
    case other(kind: String, SensitiveConfig)

    static let otherKinds = ["aws", "azure", "oauth", "encryption", "extensions"]

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["tls", "header", "apiKey", "credentials"] + SecretContent.otherKinds)
        switch reader.name {
        case "tls": self = .tls(try reader.decode())
        case "header": self = .header(try reader.decode())
        case "apiKey": self = .apiKey(try reader.decode())
        case "credentials": self = .credentials(try reader.decode())
        default: self = .other(kind: reader.name, try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .tls(let value): try encoder.encodeOneOf("tls", value)
        case .header(let value): try encoder.encodeOneOf("header", value)
        case .apiKey(let value): try encoder.encodeOneOf("apiKey", value)
        case .credentials(let value): try encoder.encodeOneOf("credentials", value)
        case .other(let kind, let value): try encoder.encodeOneOf(kind, value)
        }
    }
}

/// A certificate chain and its private key, PEM encoded.
public struct TlsSecret: Hashable, Sendable, Codable {
    public var certChain: String
    public var privateKey: SensitiveString
    public var rootCa: String
    public var ocspStaple: String

    public init(certChain: String, privateKey: SensitiveString, rootCa: String = "") {
        self.certChain = certChain
        self.privateKey = privateKey
        self.rootCa = rootCa
        self.ocspStaple = ""
    }
}

/// Header names and secret values to add to requests.
public struct HeaderSecret: Hashable, Sendable, Codable {
    public var headers: [String: SensitiveString]
}

/// An API key and its metadata.
public struct ApiKeySecret: Hashable, Sendable, Codable {
    public var apiKey: SensitiveString
    public var labels: [String]
    public var metadata: [String: String]
}

/// A user name and password.
public struct CredentialsSecret: Hashable, Sendable, Codable {
    public var username: String
    public var password: SensitiveString
}

/// A raw value that may hold secrets: kept as written, shown only as `<redacted>`.
public struct SensitiveConfig: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var value: ConfigValue

    public init(_ value: ConfigValue) { self.value = value }
    public init(from decoder: any Decoder) throws { value = try ConfigValue(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["value": description]) }
}
