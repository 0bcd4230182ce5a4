/// A destination Envoy can route to (`gloo.solo.io/v1/Upstream`): static hosts or a Consul service,
/// with TLS, load balancing, health checking and connection settings.
public struct Upstream: Resource {
    public static let kind = ResourceKind.upstream

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    /// Pre-1.x top-level status: accepted and ignored.
    public var status: ConfigValue?
    public var discoveryMetadata: DiscoveryMetadata?
    public var upstreamType: UpstreamType?
    public var sslConfig: UpstreamSslConfig?
    public var circuitBreakers: CircuitBreakerConfig?
    public var loadBalancerConfig: LoadBalancerConfig?
    public var connectionConfig: ConnectionConfig?
    public var healthChecks: [HealthCheck]
    public var outlierDetection: OutlierDetection?
    public var useHttp2: Bool?
    public var initialStreamWindowSize: UInt32?
    public var initialConnectionWindowSize: UInt32?
    public var maxConcurrentStreams: UInt32?
    public var overrideStreamErrorOnInvalidHttpMessage: Bool?
    public var ignoreHealthOnHostRemoval: Bool?
    public var respectDnsTtl: Bool?
    public var dnsRefreshRate: ProtoDuration?
    public var failover: IgnoredOption?
    public var protocolSelection: IgnoredOption?
    public var preconnectPolicy: PreconnectPolicy?
    public var disableIstioAutoMtls: IgnoredOption?
    public var httpProxyHostname: UnenforceableOption?
    public var httpConnectSslConfig: UnenforceableOption?
    public var httpConnectHeaders: UnenforceableOption?
    /// PROXY protocol to the upstream (`V1` or `V2`), around the TLS or plain connection.
    public var proxyProtocolVersion: String?

    public init(metadata: Metadata, upstreamType: UpstreamType? = nil) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.upstreamType = upstreamType
        self.healthChecks = []
    }

    public func semanticProblems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if upstreamType == nil {
            problems.append(FieldProblem(
                .error, fieldPath: "",
                reason: "an Upstream needs a type: one of static, consul, nomad (or Gloo's kube, aws, azure, pipe, awsEc2, gcp)"))
        }
        if case .nomad(let nomad) = upstreamType, nomad.serviceName.isEmpty {
            problems.append(FieldProblem(.error, fieldPath: "nomad.serviceName", reason: "serviceName is required"))
        }
        if case .static(let upstream) = upstreamType {
            for (index, host) in upstream.hosts.enumerated() where host.port == 0 || host.port > 65535 {
                problems.append(FieldProblem(
                    .error, fieldPath: "static.hosts[\(index)].port", reason: "port must be between 1 and 65535"))
            }
            if upstream.hosts.isEmpty {
                problems.append(FieldProblem(.warning, fieldPath: "static.hosts", reason: "no hosts: routes to this upstream fail"))
            }
        }
        if case .consul(let consul) = upstreamType, consul.connectEnabled {
            problems.append(FieldProblem(
                .error, fieldPath: "consul.connectEnabled",
                reason: "Consul Connect upstreams are not supported by gloo-hashi; traffic would not be mTLS"))
        }
        return problems
    }
}

/// Labels discovery attached to an upstream it created.
public struct DiscoveryMetadata: Hashable, Sendable, Codable {
    public var labels: [String: String]
}

/// Where an Upstream's hosts come from (`upstreamType` oneof).
public indirect enum UpstreamType: OneOf {
    case `static`(StaticUpstream)
    case consul(ConsulUpstream)
    /// A Nomad native service (our extension).
    case nomad(NomadUpstream)
    /// Gloo upstream types that cannot exist outside Kubernetes or a cloud plugin.
    case unsupported(kind: String, UnenforceableOption)

    static let unsupportedKinds = ["kube", "pipe", "aws", "azure", "awsEc2", "gcp", "ai"]

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["static", "consul", "nomad"] + UpstreamType.unsupportedKinds)
        switch reader.name {
        case "static": self = .static(try reader.decode())
        case "consul": self = .consul(try reader.decode())
        case "nomad": self = .nomad(try reader.decode())
        default: self = .unsupported(kind: reader.name, try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .static(let value): try encoder.encodeOneOf("static", value)
        case .consul(let value): try encoder.encodeOneOf("consul", value)
        case .nomad(let value): try encoder.encodeOneOf("nomad", value)
        case .unsupported(let kind, let value): try encoder.encodeOneOf(kind, value)
        }
    }
}

/// Fixed hosts (`static`): IP addresses or DNS names.
public struct StaticUpstream: Hashable, Sendable, Codable {
    public var hosts: [StaticHost]
    public var useTls: Bool?
    public var autoSniRewrite: Bool?
    public var serviceSpec: IgnoredOption?

    public init(hosts: [StaticHost], useTls: Bool? = nil) {
        self.hosts = hosts
        self.useTls = useTls
    }
}

/// One static host.
public struct StaticHost: Hashable, Sendable, Codable {
    public var addr: String
    public var port: UInt32
    public var sniAddr: String
    public var loadBalancingWeight: UInt32?
    /// Per-host health-check path and method: Gloo's own Envoy health checker reads them, which
    /// upstream Envoy does not have, so they are reported and ignored.
    public var healthCheckConfig: IgnoredOption?
    /// The endpoint's metadata by filter name (`envoy.lb` for subset matching), as in Gloo.
    public var metadata: [String: ConfigValue]

    public init(addr: String, port: UInt32, loadBalancingWeight: UInt32? = nil) {
        self.addr = addr
        self.port = port
        self.sniAddr = ""
        self.loadBalancingWeight = loadBalancingWeight
        self.metadata = [:]
    }
}

/// A Consul service (`consul`): instances come from Consul's health API.
public struct ConsulUpstream: Hashable, Sendable, Codable {
    public enum ConsistencyMode: String, ProtoEnum {
        case defaultMode = "DefaultMode"
        case staleMode = "StaleMode"
        case consistentMode = "ConsistentMode"
    }

    public var serviceName: String
    /// Deprecated in Gloo (tags the service has); kept for drop-in, not used for selection.
    public var serviceTags: [String]
    public var subsetTags: [String]
    public var instanceTags: [String]
    public var instanceBlacklistTags: [String]
    public var dataCenters: [String]
    public var connectEnabled: Bool
    /// How discovery reads the service: combined over its Upstreams and Settings'
    /// `consulDiscovery` values (`ConsulReadRequest`), as the service is read once for all.
    public var consistencyMode: ConsistencyMode?
    public var queryOptions: ConsulQueryOptions?
    public var serviceSpec: IgnoredOption?

    public init(serviceName: String, dataCenters: [String] = []) {
        self.serviceName = serviceName
        self.serviceTags = []
        self.subsetTags = []
        self.instanceTags = []
        self.instanceBlacklistTags = []
        self.dataCenters = dataCenters
        self.connectEnabled = false
    }
}

/// Consul query options Gloo exposes.
public struct ConsulQueryOptions: Hashable, Sendable, Codable {
    public var useCache: Bool?

    public init(useCache: Bool? = nil) { self.useCache = useCache }
}

/// Connections Envoy opens ahead of need (`preconnectPolicy`, Envoy's own message).
public struct PreconnectPolicy: Hashable, Sendable, Codable {
    public var perUpstreamPreconnectRatio: Double?
    public var predictivePreconnectRatio: Double?
}
