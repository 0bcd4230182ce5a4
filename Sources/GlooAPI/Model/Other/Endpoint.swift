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

    public init(metadata: Metadata, upstreams: [ResourceRef], address: String, port: UInt32) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.upstreams = upstreams
        self.address = address
        self.port = port
        self.hostname = ""
    }
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
