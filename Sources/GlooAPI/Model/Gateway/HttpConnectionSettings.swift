/// The HTTP connection manager settings users set on a Gateway
/// (`httpGateway.options.httpConnectionManagerSettings`).
public struct HttpConnectionSettings: Hashable, Sendable, Codable {
    public enum ServerHeaderTransformation: String, ProtoEnum {
        case overwrite = "OVERWRITE"
        case appendIfAbsent = "APPEND_IF_ABSENT"
        case passThrough = "PASS_THROUGH"
    }

    public enum CodecType: String, ProtoEnum {
        case auto = "AUTO"
        case http1 = "HTTP1"
        case http2 = "HTTP2"
    }

    public var skipXffAppend: Bool
    public var via: String
    public var xffNumTrustedHops: UInt32
    public var useRemoteAddress: Bool?
    public var generateRequestId: Bool?
    public var proxy100Continue: Bool
    public var streamIdleTimeout: ProtoDuration?
    public var idleTimeout: ProtoDuration?
    public var maxRequestHeadersKb: UInt32?
    public var requestTimeout: ProtoDuration?
    public var requestHeadersTimeout: ProtoDuration?
    public var drainTimeout: ProtoDuration?
    public var delayedCloseTimeout: ProtoDuration?
    public var serverName: String
    public var acceptHttp10: Bool
    public var defaultHostForHttp10: String
    public var preserveExternalRequestId: Bool
    public var upgrades: [ProtocolUpgrade]
    public var maxConnectionDuration: ProtoDuration?
    public var maxStreamDuration: ProtoDuration?
    public var maxHeadersCount: UInt32?
    public var maxRequestsPerConnection: UInt32?
    public var serverHeaderTransformation: ServerHeaderTransformation?
    public var codecType: CodecType?
    public var mergeSlashes: Bool?
    public var normalizePath: Bool?
    public var stripAnyHostPort: Bool?

    public var strictHeaderValidation: IgnoredOption?
    public var properCaseHeaderKeyFormat: IgnoredOption?
    public var preserveCaseHeaderKeyFormat: IgnoredOption?
    public var tracing: ListenerTracingSettings?
    public var forwardClientCertDetails: IgnoredOption?
    public var setCurrentClientCertDetails: IgnoredOption?
    /// What to do with client headers whose names hold `_` (Gloo's enum; ALLOW by default).
    public var headersWithUnderscoresAction: UnderscoreHeaderAction?
    public var pathWithEscapedSlashesAction: IgnoredOption?
    public var uuidRequestIdConfig: IgnoredOption?
    public var http2ProtocolOptions: IgnoredOption?
    public var internalAddressConfig: IgnoredOption?
    public var appendXForwardedPort: IgnoredOption?
    public var allowChunkedLength: IgnoredOption?
    public var enableTrailers: IgnoredOption?
    public var earlyHeaderManipulation: IgnoredOption?
}

/// A protocol upgrade the connection manager allows (`upgrades[]`).
public struct ProtocolUpgrade: Hashable, Sendable, Codable {
    public var websocket: UpgradeToggle?
    public var connect: UpgradeToggle?
    /// Route-level only in Gloo: on a connection manager it is an error, as there.
    public var connectTerminate: UpgradeToggle?
}

public struct UpgradeToggle: Hashable, Sendable, Codable {
    public var enabled: Bool?
}

/// Access logs of a listener (`options.accessLoggingService`).
public struct AccessLoggingService: Hashable, Sendable, Codable {
    public var accessLog: [AccessLog]
}

/// One access log: a file (or `/dev/stdout`) with a text or JSON format.
public struct AccessLog: Hashable, Sendable, Codable {
    public var fileSink: FileSink?
    public var grpcService: IgnoredOption?
    public var openTelemetryService: IgnoredOption?
    public var filter: IgnoredOption?
}

public struct FileSink: Hashable, Sendable, Codable {
    public var path: String
    public var format: FileSinkFormat?
}

/// The `output_format` oneof of a file sink.
public indirect enum FileSinkFormat: OneOf {
    case stringFormat(String)
    case jsonFormat(ConfigValue)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["stringFormat", "jsonFormat"])
        switch reader.name {
        case "stringFormat": self = .stringFormat(try reader.decode())
        default: self = .jsonFormat(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .stringFormat(let value): try encoder.encodeOneOf("stringFormat", value)
        case .jsonFormat(let value): try encoder.encodeOneOf("jsonFormat", value)
        }
    }
}

/// Gloo's `HeadersWithUnderscoreAction` on a connection manager.
public enum UnderscoreHeaderAction: String, ProtoEnum {
    case allow = "ALLOW"
    case rejectClientRequest = "REJECT_CLIENT_REQUEST"
    case dropHeader = "DROP_HEADER"
}
