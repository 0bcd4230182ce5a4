import GlooAPI

/// How Consul services become Upstreams and instances become endpoints (Gloo's
/// `consul.serviceDiscovery` and `consulDiscovery` settings, plus gloo-hashi's own).
public struct ConsulDiscoveryOptions: Sendable, Hashable {
    /// The datacenters to discover; empty: the agent's own.
    public var datacenters: [String] = []
    /// Where discovered Upstreams live (Settings `discoveryNamespace`).
    public var namespace = "gloo-system"
    /// Only services carrying one of these tags are discovered (empty: every service).
    public var serviceTagsAllowlist: [String] = []
    /// TLS tagging: a service with `tlsTagName` is served over TLS, verified against `rootCa`.
    public var useTlsTagging = false
    public var tlsTagName = "glooUseTls"
    public var rootCa: ResourceRef?
    /// With TLS tagging: a tagged service becomes both `<name>-tls` (tagged instances) and
    /// `<name>` (the others) instead of `<name>-tls` alone.
    public var splitTlsServices = false
    /// Instances whose worst check is `warning` get traffic too (weighted by `Weights.Warning`).
    public var includeWarningInstances = false
    /// How often hostnames in instance addresses are resolved again (Settings `consul.dnsPollingInterval`).
    public var hostnameRefresh: Duration = .seconds(5)
    /// Consistency and agent caching of the catalog and health reads (cached by default, as Gloo).
    public var read = ConsulReadMode(cached: true)

    public init() {}

    /// The label discovery puts on the Upstreams it creates (`discovered_by: consulplugin`, as Gloo).
    public static let discoveredByLabel = "discovered_by"
    public static let discoveredByValue = "consulplugin"
}
