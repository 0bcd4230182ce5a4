/// One listener with several gateways, each matched by the client's address and TLS (Gloo's
/// `hybridGateway`): every matched gateway becomes filter chains of the listener.
public struct HybridGateway: Hashable, Sendable, Codable {
    public var matchedGateways: [MatchedGateway]
    /// Gateways kept in MatchableHttpGateway / MatchableTcpGateway resources: not supported, and
    /// without them the listener would serve other connections than written.
    public var delegatedHttpGateways: UnenforceableOption?
    public var delegatedTcpGateways: UnenforceableOption?

    public init(matchedGateways: [MatchedGateway]) { self.matchedGateways = matchedGateways }
}

/// An HTTP or TCP gateway and the connections it takes.
public struct MatchedGateway: Hashable, Sendable, Codable {
    public var matcher: GatewayMatcher?
    public var gatewayType: MatchedGatewayType?
}

/// The `gatewayType` oneof of a matched gateway.
public indirect enum MatchedGatewayType: OneOf {
    case httpGateway(HttpGateway)
    case tcpGateway(TcpGateway)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["httpGateway", "tcpGateway"])
        switch reader.name {
        case "httpGateway": self = .httpGateway(try reader.decode())
        default: self = .tcpGateway(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .httpGateway(let value): try encoder.encodeOneOf("httpGateway", value)
        case .tcpGateway(let value): try encoder.encodeOneOf("tcpGateway", value)
        }
    }
}

/// Which connections a matched gateway takes: by source address, and with `sslConfig` TLS ones
/// (its values are the defaults of the VirtualServices' own, and its SNI names those of TCP hosts
/// without any).
public struct GatewayMatcher: Hashable, Sendable, Codable {
    public var sslConfig: SslConfig?
    public var sourcePrefixRanges: [CidrRange]
    /// Matching on the client's cipher suites needs Gloo's own Envoy build.
    public var passthroughCipherSuites: UnenforceableOption?
}

/// An address range (`10.0.0.0/8`): Envoy's `CidrRange`.
public struct CidrRange: Hashable, Sendable, Codable {
    public var addressPrefix: String
    public var prefixLen: UInt32?
}

/// The matched listeners of a hybrid listener in the Gloo Proxy.
public struct HybridListener: Hashable, Sendable, Codable {
    public var matchedListeners: [MatchedListener]

    public init(matchedListeners: [MatchedListener]) { self.matchedListeners = matchedListeners }
}

/// One matched gateway as translated: its matcher and what it serves.
public struct MatchedListener: Hashable, Sendable, Codable {
    public var matcher: GatewayMatcher?
    public var httpListener: HttpListener?
    public var tcpListener: TcpListener?
    public var sslConfigurations: [SslConfig]

    public init(matcher: GatewayMatcher?, httpListener: HttpListener? = nil, tcpListener: TcpListener? = nil, sslConfigurations: [SslConfig] = []) {
        self.matcher = matcher
        self.httpListener = httpListener
        self.tcpListener = tcpListener
        self.sslConfigurations = sslConfigurations
    }
}

extension Gateway {
    /// The TCP gateways it holds: its own, or its hybrid gateway's matched ones.
    public var tcpGateways: [TcpGateway] {
        switch gatewayType {
        case .tcpGateway(let tcp): [tcp]
        case .hybridGateway(let hybrid):
            hybrid.matchedGateways.compactMap { if case .tcpGateway(let tcp)? = $0.gatewayType { tcp } else { nil } }
        default: []
        }
    }

    /// The sslConfigs of its hybrid gateway's matchers (their certificates serve VirtualServices
    /// and TCP hosts without their own).
    public var matcherSslConfigs: [SslConfig] {
        guard case .hybridGateway(let hybrid)? = gatewayType else { return [] }
        return hybrid.matchedGateways.compactMap { $0.matcher?.sslConfig }
    }
}
