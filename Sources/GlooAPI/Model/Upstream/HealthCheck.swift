/// An active health check Envoy runs against an upstream's hosts (Envoy's core `HealthCheck`).
public struct HealthCheck: Hashable, Sendable, Codable {
    public var timeout: ProtoDuration?
    public var interval: ProtoDuration?
    public var initialJitter: ProtoDuration?
    public var intervalJitter: ProtoDuration?
    public var intervalJitterPercent: UInt32?
    public var unhealthyThreshold: UInt32?
    public var healthyThreshold: UInt32?
    public var altPort: UInt32?
    public var reuseConnection: Bool?
    public var checker: HealthChecker?
    public var noTrafficInterval: ProtoDuration?
    public var unhealthyInterval: ProtoDuration?
    public var unhealthyEdgeInterval: ProtoDuration?
    public var healthyEdgeInterval: ProtoDuration?
    public var eventLogPath: String
    public var alwaysLogHealthCheckFailures: Bool
    public var tlsOptions: HealthCheckTlsOptions?
}

/// What the health check sends (`health_checker` oneof).
public indirect enum HealthChecker: OneOf {
    case httpHealthCheck(HttpHealthCheck)
    case tcpHealthCheck(TcpHealthCheck)
    case grpcHealthCheck(GrpcHealthCheck)
    case customHealthCheck(IgnoredOption)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["httpHealthCheck", "tcpHealthCheck", "grpcHealthCheck", "customHealthCheck"])
        switch reader.name {
        case "httpHealthCheck": self = .httpHealthCheck(try reader.decode())
        case "tcpHealthCheck": self = .tcpHealthCheck(try reader.decode())
        case "grpcHealthCheck": self = .grpcHealthCheck(try reader.decode())
        default: self = .customHealthCheck(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .httpHealthCheck(let value): try encoder.encodeOneOf("httpHealthCheck", value)
        case .tcpHealthCheck(let value): try encoder.encodeOneOf("tcpHealthCheck", value)
        case .grpcHealthCheck(let value): try encoder.encodeOneOf("grpcHealthCheck", value)
        case .customHealthCheck(let value): try encoder.encodeOneOf("customHealthCheck", value)
        }
    }
}

public struct HttpHealthCheck: Hashable, Sendable, Codable {
    public var host: String
    public var path: String
    public var method: String
    /// Deprecated in Envoy v2; accepted for drop-in.
    public var useHttp2: Bool
    /// Deprecated in Envoy v2; accepted for drop-in.
    public var serviceName: String
    public var serviceNameMatcher: ConfigValue?
    public var requestHeadersToAdd: [HeaderValueOption]
    public var requestHeadersToRemove: [String]
    public var expectedStatuses: [Int64Range]
    public var codecClientType: String?
    public var responseAssertions: IgnoredOption?
}

public struct TcpHealthCheck: Hashable, Sendable, Codable {
    public var send: HealthCheckPayload?
    public var receive: [HealthCheckPayload]
}

/// Text (hex) or binary payload of a TCP health check.
public struct HealthCheckPayload: Hashable, Sendable, Codable {
    public var text: String?
    public var binary: String?
}

public struct GrpcHealthCheck: Hashable, Sendable, Codable {
    public var serviceName: String
    public var authority: String
    public var initialMetadata: [HeaderValueOption]
}

public struct HealthCheckTlsOptions: Hashable, Sendable, Codable {
    public var alpnProtocols: [String]
}

/// A half-open range `[start, end)`.
public struct Int64Range: Hashable, Sendable, Codable {
    public var start: Int64
    public var end: Int64
}
