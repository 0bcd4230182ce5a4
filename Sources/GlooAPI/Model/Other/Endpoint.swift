/// One address of one or more upstreams (`gloo.solo.io/v1/Endpoint`), usually from discovery.
public struct Endpoint: Resource {
    public static let kind = ResourceKind.endpoint

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    public var upstreams: [ResourceRef]
    public var address: String
    public var port: UInt32
    public var hostname: String
    public var healthCheck: EndpointHealthCheck?
    public var loadBalancingWeight: UInt32?
    /// gloo-hashi extension: the instance's health as discovery saw it (default healthy).
    public var healthStatus: EndpointHealthStatus?
    /// gloo-hashi extension: the instance's datacenter, which becomes its Envoy locality.
    public var datacenter: String

    public init(metadata: Metadata, upstreams: [ResourceRef], address: String, port: UInt32, datacenter: String = "") {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.upstreams = upstreams
        self.address = address
        self.port = port
        self.hostname = ""
        self.datacenter = datacenter
    }

    /// Gloo's subset labels on discovered endpoints: `tag_<tag>` and `dc_<datacenter>`.
    public static func tagLabel(_ tag: String) -> String { "tag_\(tag)" }
    public static func datacenterLabel(_ datacenter: String) -> String { "dc_\(datacenter)" }
}

/// The health of a discovered instance.
public enum EndpointHealthStatus: String, ProtoEnum {
    case healthy = "HEALTHY"
    /// Consul's `warning`: served when configured to, with less traffic.
    case degraded = "DEGRADED"
    case unhealthy = "UNHEALTHY"
    case draining = "DRAINING"
}

/// Health-check overrides for one endpoint.
public struct EndpointHealthCheck: Hashable, Sendable, Codable {
    public var hostname: String
}

/// Opaque data Gloo stored for plugins (`gloo.solo.io/v1/Artifact`); read and kept, not used.
public struct Artifact: Resource {
    public static let kind = ResourceKind.artifact

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    public var data: [String: String]
}
