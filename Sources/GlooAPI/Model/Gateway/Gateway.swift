/// A listener of the gateway proxies (`gateway.solo.io/v1/Gateway`): address, port, and which
/// VirtualServices (HTTP) or TCP hosts it serves.
public struct Gateway: Resource {
    public static let kind = ResourceKind.gateway
    /// Gloo's default when `proxyNames` is empty.
    public static let defaultProxyName = "gateway-proxy"

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    /// Pre-1.x top-level status: accepted and ignored.
    public var status: ConfigValue?
    public var ssl: Bool
    public var bindAddress: String
    public var bindPort: UInt32
    public var options: ListenerOptions?
    public var useProxyProto: Bool?
    public var gatewayType: GatewayType?
    public var proxyNames: [String]
    public var routeOptions: RouteConfigurationOptions?

    public init(metadata: Metadata, bindAddress: String = "::", bindPort: UInt32, gatewayType: GatewayType?) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.ssl = false
        self.bindAddress = bindAddress
        self.bindPort = bindPort
        self.gatewayType = gatewayType
        self.proxyNames = []
    }

    /// The proxies this Gateway configures (`[gateway-proxy]` when none are named).
    public var effectiveProxyNames: [String] { proxyNames.isEmpty ? [Gateway.defaultProxyName] : proxyNames }

    public func semanticProblems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if bindPort == 0 || bindPort > 65535 {
            problems.append(FieldProblem(.error, fieldPath: "bindPort", reason: "bindPort must be between 1 and 65535"))
        }
        return problems
    }
}

/// The `gatewayType` oneof: HTTP, TCP, or Gloo's hybrid gateway.
public indirect enum GatewayType: OneOf {
    case httpGateway(HttpGateway)
    case tcpGateway(TcpGateway)
    case hybridGateway(HybridGateway)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["httpGateway", "tcpGateway", "hybridGateway"])
        switch reader.name {
        case "httpGateway": self = .httpGateway(try reader.decode())
        case "tcpGateway": self = .tcpGateway(try reader.decode())
        default: self = .hybridGateway(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .httpGateway(let value): try encoder.encodeOneOf("httpGateway", value)
        case .tcpGateway(let value): try encoder.encodeOneOf("tcpGateway", value)
        case .hybridGateway(let value): try encoder.encodeOneOf("hybridGateway", value)
        }
    }
}

/// Which VirtualServices an HTTP gateway serves: by reference, by labels, by namespace, or all.
public struct HttpGateway: Hashable, Sendable, Codable {
    public var virtualServices: [ResourceRef]
    public var virtualServiceSelector: [String: String]
    /// Set-based selectors; not supported, and ignoring them would select other VirtualServices.
    public var virtualServiceExpressions: UnenforceableOption?
    public var virtualServiceNamespaces: [String]
    public var options: HttpListenerOptions?

    public init(
        virtualServices: [ResourceRef] = [], virtualServiceSelector: [String: String] = [:],
        virtualServiceNamespaces: [String] = []
    ) {
        self.virtualServices = virtualServices
        self.virtualServiceSelector = virtualServiceSelector
        self.virtualServiceNamespaces = virtualServiceNamespaces
    }
}

/// TCP hosts served by a TCP gateway.
public struct TcpGateway: Hashable, Sendable, Codable {
    public var tcpHosts: [TcpHost]
    public var options: TcpListenerOptions?

    public init(tcpHosts: [TcpHost] = [], options: TcpListenerOptions? = nil) {
        self.tcpHosts = tcpHosts
        self.options = options
    }
}

/// One TCP destination, matched by SNI when `sslConfig` is set.
public struct TcpHost: Hashable, Sendable, Codable {
    public var name: String
    public var sslConfig: SslConfig?
    public var destination: TcpAction?
}

/// Where a TCP host forwards connections.
public struct TcpAction: Hashable, Sendable, Codable {
    public var target: TcpTarget?
}

/// The `destination` oneof of a TCP action.
public indirect enum TcpTarget: OneOf {
    case single(Destination)
    case multi(MultiDestination)
    case upstreamGroup(ResourceRef)
    case forwardSniClusterName(EmptyMessage)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["single", "multi", "upstreamGroup", "forwardSniClusterName"])
        switch reader.name {
        case "single": self = .single(try reader.decode())
        case "multi": self = .multi(try reader.decode())
        case "upstreamGroup": self = .upstreamGroup(try reader.decode())
        default: self = .forwardSniClusterName(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .single(let value): try encoder.encodeOneOf("single", value)
        case .multi(let value): try encoder.encodeOneOf("multi", value)
        case .upstreamGroup(let value): try encoder.encodeOneOf("upstreamGroup", value)
        case .forwardSniClusterName(let value): try encoder.encodeOneOf("forwardSniClusterName", value)
        }
    }
}

/// Options of the RouteConfigurations a Gateway serves (`routeOptions`).
public struct RouteConfigurationOptions: Hashable, Sendable, Codable {
    public var maxDirectResponseBodySizeBytes: UInt32?
    public var mostSpecificHeaderMutationsWins: Bool?

    public init(maxDirectResponseBodySizeBytes: UInt32? = nil, mostSpecificHeaderMutationsWins: Bool? = nil) {
        self.maxDirectResponseBodySizeBytes = maxDirectResponseBodySizeBytes
        self.mostSpecificHeaderMutationsWins = mostSpecificHeaderMutationsWins
    }
}
