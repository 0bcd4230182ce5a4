/// Where Gloo resources are kept: Consul KV, a directory, or memory.
///
/// Writes are compare-and-set on `metadata.resourceVersion` (empty = create only). Errors are
/// `StoreError`s.
public protocol ResourceStore: Sendable {
    /// The resource, or nil when nothing is stored; `StoreError.invalid` when the value is rejected.
    func get<R: Resource>(_ type: R.Type, _ ref: ResourceRef) async throws -> R?
    /// Every valid resource of a kind, in one namespace or in all (`nil`).
    func list<R: Resource>(_ type: R.Type, namespace: String?) async throws -> [R]
    /// Creates or updates; returns the resource with its new `resourceVersion`.
    func put<R: Resource>(_ resource: R) async throws -> R
    /// Deletes; with a `resourceVersion`, only if it is still the stored one.
    func delete<R: Resource>(_ type: R.Type, _ ref: ResourceRef, resourceVersion: String?) async throws
    /// Writes `status` under `namespacedStatuses.statuses.<reporterNamespace>`, keeping every
    /// other byte of meaning in the value (it works on values that are rejected, too), with
    /// compare-and-set; a conflict is re-read and retried while the configuration is `basis`'s.
    @discardableResult
    func updateStatus(_ key: ResourceKey, reporterNamespace: String, status: Status, basis: StatusBasis?) async throws -> StatusUpdate
    /// Several write-backs, one result per change in order (batched where the backend has
    /// transactions; `updateStatus` one by one otherwise).
    func updateStatuses(_ changes: [StatusChange], reporterNamespace: String) async -> [Result<StatusUpdate, any Error>]
    /// Consistent listings of everything stored: the first at once, then one per change.
    func watch() -> AsyncThrowingStream<ResourceListing, any Error>
}

/// Where TLS and other secrets are kept (Vault, a directory, memory).
public protocol SecretStore: Sendable {
    func secret(_ ref: ResourceRef) async throws -> Secret?
    /// Every valid secret, and findings for the rejected ones: the first at once, then per change.
    func watchSecrets() -> AsyncThrowingStream<SecretListing, any Error>
    /// Only these secrets need to be read from now on (nil: all); stores that read everything anyway ignore it.
    func setReferenced(_ refs: Set<ResourceRef>?)
}

extension SecretStore {
    public func setReferenced(_ refs: Set<ResourceRef>?) {}
}

/// The secrets a secret store holds at one moment.
public struct SecretListing: Hashable, Sendable {
    public var secrets: [Secret]
    public var findings: [Finding]

    public init(secrets: [Secret], findings: [Finding] = []) {
        self.secrets = secrets
        self.findings = findings
    }
}

/// Service discovery (Consul catalog, Nomad services): discovered Upstreams and live endpoints
/// for the services the configuration references.
public protocol EndpointDiscovery: Sendable {
    /// A short name for logs and metrics (`consul`, `nomad`).
    var name: String { get }
    /// Tells discovery which services routes and Upstreams reference; only these get endpoints.
    func setInterest(_ interest: DiscoveryInterest) async
    /// Discovered Upstreams and endpoints: the first result once known, then one per change.
    func discoveries() -> AsyncThrowingStream<DiscoveryResult, any Error>
}

/// The services whose instances the configuration needs, per discovery source.
public struct DiscoveryInterest: Hashable, Sendable {
    /// Consul service names, each with the datacenters asked for (empty = all configured).
    public var services: [String: Set<String>]
    /// Nomad service names, each with the namespaces asked for (an empty name: the configured one).
    public var nomadServices: [String: Set<String>]
    /// Consul services whose user-written Upstreams set a consistency mode or turn the cache off.
    public var consulReads: [String: ConsulReadRequest]

    public init(
        services: [String: Set<String>] = [:], nomadServices: [String: Set<String>] = [:],
        consulReads: [String: ConsulReadRequest] = [:]
    ) {
        self.services = services
        self.nomadServices = nomadServices
        self.consulReads = consulReads
    }
}

/// What one discovery source knows at one moment.
public struct DiscoveryResult: Hashable, Sendable {
    /// Every discovered Upstream, sorted by name.
    public var upstreams: [Upstream]
    /// Endpoints by discovered service name; each names the discovered Upstreams it feeds (the
    /// controller adds the user-written Upstreams of the same service).
    public var endpoints: [String: [Endpoint]]
    /// The interest these endpoints answer.
    public var interest: DiscoveryInterest
    /// Whether every source (each datacenter's service list, each watched service) has answered
    /// at least once: until then, endpoints may be missing rather than gone.
    public var complete: Bool
    /// What is failing right now (the last good answers keep being used), for health and logs.
    public var problems: [String]
    /// How many watches (long-polls) the source keeps open.
    public var watches: Int

    public init(
        upstreams: [Upstream], endpoints: [String: [Endpoint]], interest: DiscoveryInterest = DiscoveryInterest(),
        complete: Bool = true, problems: [String] = [], watches: Int = 0
    ) {
        self.watches = watches
        self.upstreams = upstreams
        self.endpoints = endpoints
        self.interest = interest
        self.complete = complete
        self.problems = problems
    }

    /// Every endpoint, by service name then as discovered.
    public var allEndpoints: [Endpoint] { endpoints.keys.sorted().flatMap { endpoints[$0]! } }
}

/// Which of several controller instances writes statuses (and, in split mode, discovery).
public protocol LeaderElection: Sendable {
    /// The current role, then every change of it.
    func leadership() -> AsyncStream<LeadershipState>
    /// Gives up leadership (on shutdown) so another instance takes over at once.
    func resign() async
}

/// This instance's role.
public enum LeadershipState: Hashable, Sendable {
    case leader
    case follower
}

/// Leadership for a single instance (the directory backend): always the leader.
public struct SoleLeader: LeaderElection {
    public init() {}

    public func leadership() -> AsyncStream<LeadershipState> {
        AsyncStream { continuation in
            continuation.yield(.leader)
            continuation.finish()
        }
    }

    public func resign() async {}
}
