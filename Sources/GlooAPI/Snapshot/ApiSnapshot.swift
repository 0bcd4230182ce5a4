/// Everything the translator needs, as one immutable value: resources, discovered endpoints and
/// upstreams, secrets, and the findings of loading them.
public struct ApiSnapshot: Hashable, Sendable {
    public var resources: ResourceSet
    /// Upstreams created by discovery (kept apart from stored ones; both are routable).
    public var discoveredUpstreams: [Upstream]
    public var endpoints: [Endpoint]
    public var secrets: [Secret]
    /// Certificates issued for `sslConfig.vaultPki` requests.
    public var issuedCertificates: IssuedCertificates
    /// Problems found while loading: rejected values, bad keys, warnings.
    public var findings: [Finding]
    /// When the snapshot was taken, in seconds since 1970; the translator's only clock.
    public var takenAt: Double

    public init(
        resources: ResourceSet, discoveredUpstreams: [Upstream] = [], endpoints: [Endpoint] = [],
        secrets: [Secret] = [], issuedCertificates: IssuedCertificates = IssuedCertificates(), findings: [Finding] = [],
        takenAt: Double = 0
    ) {
        self.issuedCertificates = issuedCertificates
        self.resources = resources
        self.discoveredUpstreams = discoveredUpstreams
        self.endpoints = endpoints
        self.secrets = secrets
        self.findings = findings
        self.takenAt = takenAt
    }

    /// Stored and discovered Upstreams together, stored ones first.
    public var allUpstreams: [Upstream] { resources.upstreams + discoveredUpstreams }

    /// Discovered endpoints and Endpoint resources stored in the tree (Gloo's discovery wrote them).
    public var allEndpoints: [Endpoint] { endpoints + resources.endpoints }

    /// Secrets from the secret store and from the resource tree.
    public var allSecrets: [Secret] { secrets + resources.secrets }
}
