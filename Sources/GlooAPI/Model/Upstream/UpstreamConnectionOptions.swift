/// Envoy circuit-breaker thresholds for an upstream.
public struct CircuitBreakerConfig: Hashable, Sendable, Codable {
    public var maxConnections: UInt32?
    public var maxPendingRequests: UInt32?
    public var maxRequests: UInt32?
    public var maxRetries: UInt32?
    public var trackRemaining: Bool?
}

/// Load balancing policy and tuning for an upstream.
public struct LoadBalancerConfig: Hashable, Sendable, Codable {
    public var healthyPanicThreshold: Double?
    public var updateMergeWindow: ProtoDuration?
    public var policy: LoadBalancerPolicy?
    public var localityWeightedLbConfig: EmptyMessage?
    public var useHostnameForHashing: Bool?
    public var closeConnectionsOnHostSetChange: Bool?
}

/// The load balancing algorithm (`type` oneof).
public indirect enum LoadBalancerPolicy: OneOf {
    case roundRobin(RoundRobinConfig)
    case leastRequest(LeastRequestConfig)
    case random(EmptyMessage)
    case ringHash(RingHashConfig)
    case maglev(EmptyMessage)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["roundRobin", "leastRequest", "random", "ringHash", "maglev"])
        switch reader.name {
        case "roundRobin": self = .roundRobin(try reader.decode())
        case "leastRequest": self = .leastRequest(try reader.decode())
        case "random": self = .random(try reader.decode())
        case "ringHash": self = .ringHash(try reader.decode())
        default: self = .maglev(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .roundRobin(let value): try encoder.encodeOneOf("roundRobin", value)
        case .leastRequest(let value): try encoder.encodeOneOf("leastRequest", value)
        case .random(let value): try encoder.encodeOneOf("random", value)
        case .ringHash(let value): try encoder.encodeOneOf("ringHash", value)
        case .maglev(let value): try encoder.encodeOneOf("maglev", value)
        }
    }
}

public struct RoundRobinConfig: Hashable, Sendable, Codable {
    public var slowStartConfig: SlowStartConfig?
}

public struct LeastRequestConfig: Hashable, Sendable, Codable {
    public var choiceCount: UInt32?
    public var slowStartConfig: SlowStartConfig?
}

public struct SlowStartConfig: Hashable, Sendable, Codable {
    public var slowStartWindow: ProtoDuration?
    public var aggression: Double?
    public var minWeightPercent: Double?
}

public struct RingHashConfig: Hashable, Sendable, Codable {
    public var ringHashConfig: RingHashSizes?
}

public struct RingHashSizes: Hashable, Sendable, Codable {
    public var minimumRingSize: UInt64?
    public var maximumRingSize: UInt64?
}

/// TCP and HTTP connection settings towards an upstream.
public struct ConnectionConfig: Hashable, Sendable, Codable {
    public var maxRequestsPerConnection: UInt32?
    public var connectTimeout: ProtoDuration?
    public var tcpKeepalive: TcpKeepAlive?
    public var perConnectionBufferLimitBytes: UInt32?
    public var commonHttpProtocolOptions: HttpProtocolOptions?
    public var http1ProtocolOptions: Http1ProtocolOptions?
}

public struct TcpKeepAlive: Hashable, Sendable, Codable {
    public var keepaliveProbes: UInt32?
    public var keepaliveTime: ProtoDuration?
    public var keepaliveInterval: ProtoDuration?
}

public struct HttpProtocolOptions: Hashable, Sendable, Codable {
    public var idleTimeout: ProtoDuration?
    public var maxHeadersCount: UInt32?
    public var maxStreamDuration: ProtoDuration?
    public var headersWithUnderscoresAction: String?
}

public struct Http1ProtocolOptions: Hashable, Sendable, Codable {
    public var enableTrailers: Bool?
    public var overrideStreamErrorOnInvalidHttpMessage: Bool?
    public var properCaseHeaderKeyFormat: Bool?
    public var preserveCaseHeaderKeyFormat: Bool?
}

/// Passive health checking: eject hosts that keep failing.
public struct OutlierDetection: Hashable, Sendable, Codable {
    public var consecutive5xx: UInt32?
    public var interval: ProtoDuration?
    public var baseEjectionTime: ProtoDuration?
    public var maxEjectionPercent: UInt32?
    public var enforcingConsecutive5xx: UInt32?
    public var enforcingSuccessRate: UInt32?
    public var successRateMinimumHosts: UInt32?
    public var successRateRequestVolume: UInt32?
    public var successRateStdevFactor: UInt32?
    public var consecutiveGatewayFailure: UInt32?
    public var enforcingConsecutiveGatewayFailure: UInt32?
    public var splitExternalLocalOriginErrors: Bool
    public var consecutiveLocalOriginFailure: UInt32?
    public var enforcingConsecutiveLocalOriginFailure: UInt32?
    public var enforcingLocalOriginSuccessRate: UInt32?
    public var failurePercentageThreshold: UInt32?
    public var enforcingFailurePercentage: UInt32?
    public var enforcingFailurePercentageLocalOrigin: UInt32?
    public var failurePercentageMinimumHosts: UInt32?
    public var failurePercentageRequestVolume: UInt32?
    public var maxEjectionTime: ProtoDuration?
}
