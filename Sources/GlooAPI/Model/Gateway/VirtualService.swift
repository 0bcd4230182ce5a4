/// A set of domains and their routes (`gateway.solo.io/v1/VirtualService`), optionally with TLS.
public struct VirtualService: Resource {
    public static let kind = ResourceKind.virtualService

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    /// Pre-1.x top-level status: accepted and ignored.
    public var status: ConfigValue?
    public var virtualHost: VirtualHost?
    public var sslConfig: SslConfig?
    public var displayName: String

    public init(metadata: Metadata, virtualHost: VirtualHost, sslConfig: SslConfig? = nil) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.virtualHost = virtualHost
        self.sslConfig = sslConfig
        self.displayName = ""
    }
}

/// The domains a VirtualService answers for, its routes in order, and host-wide options.
public struct VirtualHost: Hashable, Sendable, Codable {
    public var domains: [String]
    public var routes: [Route]
    public var options: VirtualHostOptions? {
        get { storedOptions?.value }
        set { storedOptions = newValue.map(Indirect.init) }
    }
    private var storedOptions: Indirect<VirtualHostOptions>?
    /// VirtualHostOption resources whose options fill what `options` leaves unset, first one first.
    public var optionsConfigRefs: DelegateOptionsRefs?

    enum CodingKeys: String, CodingKey {
        case domains, routes, optionsConfigRefs
        case storedOptions = "options"
    }

    public init(domains: [String], routes: [Route], options: VirtualHostOptions? = nil) {
        self.domains = domains
        self.routes = routes
        self.options = options
    }
}

/// Downstream TLS for a VirtualService or a Proxy listener (Gloo's `SslConfig`).
public struct SslConfig: Hashable, Sendable, Codable {
    public enum OcspStaplePolicy: String, ProtoEnum {
        case lenientStapling = "LENIENT_STAPLING"
        case strictStapling = "STRICT_STAPLING"
        case mustStaple = "MUST_STAPLE"
    }

    public var source: SslSource?
    public var sniDomains: [String]
    public var verifySubjectAltName: [String]
    public var parameters: SslParameters?
    public var alpnProtocols: [String]
    public var oneWayTls: Bool?
    public var disableTlsSessionResumption: Bool?
    public var transportSocketConnectTimeout: ProtoDuration?
    public var ocspStaplePolicy: OcspStaplePolicy?

    public init(source: SslSource?, sniDomains: [String] = []) {
        self.source = source
        self.sniDomains = sniDomains
        self.verifySubjectAltName = []
        self.alpnProtocols = []
    }
}
