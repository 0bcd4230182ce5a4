import EnvoyAPI
import Foundation
import GlooAPI
import Synchronization

/// Translation numbers, process-wide.
private let translationGenerations = Atomic<UInt64>(0)

/// Outputs of earlier translations, reused when their inputs are unchanged: a cluster per
/// Upstream (with its endpoints, subset selectors and TLS secret) and a virtual host per
/// VirtualService (while Upstreams, groups and route tables stay the same). The output with a
/// cache is byte-identical to the output without one; the cache only saves work.
public final class TranslationCache: Sendable {
    struct ClusterInput: Hashable {
        var upstream: Upstream
        var endpoints: [Endpoint]
        var selectors: [[String]]
        var secret: TlsSecret?
        var secretRejected: Bool
    }

    /// Everything the upstream stage reads: when a VirtualService changes and none of this
    /// does, every cluster and load assignment is reused as a whole.
    struct UpstreamStageInput: Equatable {
        var upstreams: [Upstream]
        var discoveredUpstreams: [Upstream]
        var endpoints: [Endpoint]
        var storedEndpoints: [Endpoint]
        var selectors: [ResourceRef: Set<[String]>]
        /// Keys of Upstreams rejected before translation (decoding and reference checks).
        var rejectedUpstreams: Set<String>
        var secrets: [ResourceRef: TlsSecret]
        var rejectedSecrets: Set<ResourceRef>

        /// Whether `other` differs from this input in endpoints at most.
        func sameExceptEndpoints(_ other: UpstreamStageInput) -> Bool {
            upstreams == other.upstreams && discoveredUpstreams == other.discoveredUpstreams && selectors == other.selectors
                && rejectedUpstreams == other.rejectedUpstreams && secrets == other.secrets && rejectedSecrets == other.rejectedSecrets
        }

        /// Every endpoint (discovered and stored) by the Upstreams it feeds, in input order.
        var endpointsByUpstream: [ResourceRef: [Endpoint]] {
            var byUpstream: [ResourceRef: [Endpoint]] = [:]
            for list in [endpoints, storedEndpoints] {
                for endpoint in list {
                    // Most endpoints feed one Upstream: no set to build for them.
                    if endpoint.upstreams.count == 1 {
                        byUpstream[endpoint.upstreams[0], default: []].append(endpoint)
                    } else {
                        for upstream in Set(endpoint.upstreams) { byUpstream[upstream, default: []].append(endpoint) }
                    }
                }
            }
            return byUpstream
        }
    }

    struct UpstreamStageOutput {
        var clusters: [Envoy_Config_Cluster_V3_Cluster] = []
        var assignments: [Envoy_Config_Endpoint_V3_ClusterLoadAssignment] = []
        /// In the order of `clusters` and `assignments`.
        var clusterPayloads: [Data] = []
        var assignmentPayloads: [Data] = []
        var usable: [ResourceRef: Upstream] = [:]
        /// What routes may point at: the usable Upstreams, and Consul service names to them.
        var usableRefs: Set<ResourceRef> = []
        var consulServices: [String: ResourceRef] = [:]
        var problems: [(ResourceKey, FieldProblem)] = []
        var secrets: [String: Envoy_Extensions_TransportSockets_Tls_V3_Secret] = [:]
    }

    /// The resources translation reports on: which of them exist.
    struct ReportedResources {
        var upstreams: [Upstream]
        var upstreamGroups: [UpstreamGroup]
        var gateways: [Gateway]
        var virtualServices: [VirtualService]
        var routeTables: [RouteTable]

        init(_ resources: ResourceSet) {
            upstreams = resources.upstreams
            upstreamGroups = resources.upstreamGroups
            gateways = resources.gateways
            virtualServices = resources.virtualServices
            routeTables = resources.routeTables
        }

        /// Whether `resources` holds the same resources by reference (their contents may differ).
        func sameReferences(as resources: ResourceSet) -> Bool {
            func same<R: Resource>(_ old: [R], _ new: [R]) -> Bool {
                // Equal arrays (usually the same buffer: a pointer check) need no reference walk.
                old.count == new.count && (old == new || zip(old, new).allSatisfy { $0.ref == $1.ref })
            }
            return same(upstreams, resources.upstreams) && same(upstreamGroups, resources.upstreamGroups)
                && same(gateways, resources.gateways) && same(virtualServices, resources.virtualServices)
                && same(routeTables, resources.routeTables)
        }
    }

    struct ClusterOutput {
        var cluster: Envoy_Config_Cluster_V3_Cluster
        var assignment: Envoy_Config_Endpoint_V3_ClusterLoadAssignment?
        /// The deterministic serializations of `cluster` and `assignment`, made once.
        var clusterPayload: Data
        var assignmentPayload: Data?
        var problems: [FieldProblem]
        var secrets: [String: Envoy_Extensions_TransportSockets_Tls_V3_Secret]
        var usable: Bool
    }

    /// Everything a virtual host's routes depend on besides its VirtualService.
    struct RouteWorld: Hashable {
        var upstreams: Set<ResourceRef>
        var consulServices: [String: ResourceRef]
        var upstreamGroups: [UpstreamGroup]
        var routeTables: [RouteTable]
        var rejectedTables: Set<ResourceRef>
        var invalidRouteStatus: UInt32
        /// The VirtualHostOption and RouteOption resources `optionsConfigRefs` name.
        var delegatedOptions = DelegatedOptions()
    }

    struct HostOutput {
        var host: Envoy_Config_Route_V3_VirtualHost?
        var proxyHost: ProxyVirtualHost?
        var findings: [Finding]
        /// The Gateway context it was built for (a hit must match it).
        var context: HostContext
        var filters: HttpFilterUse = []
        /// `host` serialized, so a RouteConfiguration of many hosts is assembled from bytes
        /// (single mode: one changed VirtualService costs one host's serialization, not all of them).
        var hostPayload: Data? = nil
    }

    /// What was derived from one VirtualService, with the service it was derived from (a class:
    /// a lookup copies one reference, not the service).
    final class Derived<Output: Sendable>: Sendable {
        /// The store version it was derived at (empty for services built in memory).
        private let version: String
        private let service: VirtualService
        let output: Output

        init(_ service: VirtualService, _ output: Output) {
            self.version = service.metadata.resourceVersion
            self.service = service
            self.output = output
        }

        /// Whether `current` (the same reference) is what this was derived from: equal store
        /// versions (a store gives every write a new one), else a full comparison.
        func isCurrent(for current: VirtualService) -> Bool {
            if !version.isEmpty { return version == current.metadata.resourceVersion }
            return service == current
        }
    }

    /// The assembled routes of one scoped chain and where each VirtualService's output sits in
    /// them, so the next translation can patch the few that changed.
    struct ScopedChain: Sendable {
        /// Where one VirtualService's output sits: its RouteConfiguration (and host) index and
        /// its first scope's index.
        struct Slot: Sendable {
            var configuration: Int
            var firstScope: Int
        }

        var refs: [ResourceRef]
        var versions: [String]
        var options: ChainRouteSettings
        var entries: [ScopedEntry]
        var routes: ChainRoutes
        /// Per VirtualService; nil for one that produced no RouteConfiguration.
        var slots: [Slot?]
        /// VirtualServices whose output carries findings (replayed into every report).
        var findingPositions: [Int]

        init(
            refs: [ResourceRef], versions: [String], options: ChainRouteSettings, entries: [ScopedEntry], routes: ChainRoutes
        ) {
            self.refs = refs
            self.versions = versions
            self.options = options
            self.entries = entries
            self.routes = routes
            var slots: [Slot?] = []
            var configuration = 0
            var scope = 0
            for entry in entries {
                if entry.configuration != nil && entry.proxyHost != nil {
                    slots.append(Slot(configuration: configuration, firstScope: scope))
                    configuration += 1
                    scope += entry.scopes.count
                } else {
                    slots.append(nil)
                }
            }
            self.slots = slots
            findingPositions = entries.indices.filter { !entries[$0].findings.isEmpty }
        }
    }

    /// A VirtualService on one scoped chain.
    struct ScopedKey: Hashable {
        var chain: String
        var service: ResourceRef
        /// The gateway's `routeOptions` and host context, which each scoped RouteConfiguration carries.
        var options: ChainRouteSettings
    }

    /// One VirtualService's scoped-mode output (a class: translations share it, no copies).
    final class ScopedEntry: Sendable {
        let configuration: Envoy_Config_Route_V3_RouteConfiguration?
        let payload: Data
        let scopes: [Envoy_Config_Route_V3_ScopedRouteConfiguration]
        let scopePayloads: [Data]
        let proxyHost: ProxyVirtualHost?
        let findings: [Finding]
        let filters: HttpFilterUse

        init(
            configuration: Envoy_Config_Route_V3_RouteConfiguration? = nil, payload: Data = Data(),
            scopes: [Envoy_Config_Route_V3_ScopedRouteConfiguration] = [], scopePayloads: [Data] = [],
            proxyHost: ProxyVirtualHost? = nil, findings: [Finding], filters: HttpFilterUse = []
        ) {
            self.configuration = configuration
            self.payload = payload
            self.scopes = scopes
            self.scopePayloads = scopePayloads
            self.proxyHost = proxyHost
            self.findings = findings
            self.filters = filters
        }
    }

    // Keyed by reference, with the input kept for an equality check: unchanged values share
    // storage with the previous listing, so the check is usually a pointer comparison, and no
    // deep hashing of endpoints or routes is needed.
    private struct State {
        var clusters: [ResourceRef: (input: ClusterInput, output: ClusterOutput)] = [:]
        var upstreamStage: (input: UpstreamStageInput, output: UpstreamStageOutput, endpoints: [ResourceRef: [Endpoint]])?
        var acceptedReports: (resources: ReportedResources, reports: Reports)?
        var consulServices: (upstreams: [Upstream], discovered: [Upstream], services: [String: ResourceRef])?
        /// Subset asks per VirtualService, valid while Consul service names map the same way.
        var subsetWorld: [String: ResourceRef]?
        var subsetRequests: [ResourceRef: Derived<[SubsetPlan.Request]>] = [:]
        var world: RouteWorld?
        var hosts: [ResourceRef: Derived<HostOutput>] = [:]
        /// Scoped-mode outputs; like hosts, valid within one route world.
        var scoped: [ScopedKey: Derived<ScopedEntry>] = [:]
        /// Assembled scoped chains by name; valid within one route world.
        var scopedChains: [String: ScopedChain] = [:]
        /// The last translation's number and, per proxy group, its Envoy resources.
        var generation: UInt64?
        var lastOutputs: [String: EnvoyResources] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func enterSubsetWorld(_ consulServices: [String: ResourceRef]) {
        state.withLock { state in
            if state.subsetWorld != consulServices {
                state.subsetWorld = consulServices
                state.subsetRequests = [:]
            }
        }
    }

    func subsetRequests(for service: VirtualService, build: () -> [SubsetPlan.Request]) -> [SubsetPlan.Request] {
        // Compared under the lock: nothing is copied out but the result.
        let ref = service.ref
        if let hit = state.withLock({ $0.subsetRequests[ref] }), hit.isCurrent(for: service) { return hit.output }
        let requests = build()
        state.withLock { $0.subsetRequests[ref] = Derived(service, requests) }
        return requests
    }

    func acceptedReports(_ resources: ResourceSet, build: () -> Reports) -> Reports {
        if let cached = state.withLock({ $0.acceptedReports }), cached.resources.sameReferences(as: resources) {
            // Keep the newest arrays: the next comparison is then a pointer check.
            state.withLock { $0.acceptedReports = (ReportedResources(resources), cached.reports) }
            return cached.reports
        }
        let reports = build()
        state.withLock { $0.acceptedReports = (ReportedResources(resources), reports) }
        return reports
    }

    func consulServices(
        _ upstreams: [Upstream], _ discovered: [Upstream], build: () -> [String: ResourceRef]
    ) -> [String: ResourceRef] {
        if let cached = state.withLock({ $0.consulServices }), cached.upstreams == upstreams, cached.discovered == discovered {
            return cached.services
        }
        let services = build()
        state.withLock { $0.consulServices = (upstreams, discovered, services) }
        return services
    }

    /// The upstream stage for `input`: the last output when the input is the same; when only
    /// endpoints changed (discovery), the last output with `patch` applied to the Upstreams whose
    /// endpoints differ (it answers nil when it cannot patch); else `build`.
    func upstreamStage(
        _ input: UpstreamStageInput, build: () -> UpstreamStageOutput,
        patch: (_ previous: UpstreamStageOutput, _ changed: [ResourceRef: [Endpoint]]) -> UpstreamStageOutput?
    ) -> UpstreamStageOutput {
        let cached = state.withLock { $0.upstreamStage }
        if let cached, cached.input == input { return cached.output }
        let endpoints = input.endpointsByUpstream
        if let cached, cached.input.sameExceptEndpoints(input) {
            var changed: [ResourceRef: [Endpoint]] = [:]
            for ref in Set(cached.endpoints.keys).union(endpoints.keys) where cached.endpoints[ref] != endpoints[ref] {
                changed[ref] = endpoints[ref] ?? []
            }
            if let output = patch(cached.output, changed) {
                state.withLock { $0.upstreamStage = (input, output, endpoints) }
                return output
            }
        }
        let output = build()
        state.withLock { $0.upstreamStage = (input, output, endpoints) }
        return output
    }

    /// The cached cluster of `upstream` and its input, if any (to patch its endpoints).
    func cachedCluster(_ upstream: ResourceRef) -> (ClusterInput, ClusterOutput)? {
        state.withLock { $0.clusters[upstream].map { ($0.input, $0.output) } }
    }

    func cluster(_ input: ClusterInput, build: () -> ClusterOutput) -> ClusterOutput {
        let ref = input.upstream.ref
        if let hit = state.withLock({ $0.clusters[ref].flatMap { $0.input == input ? $0.output : nil } }) { return hit }
        let output = build()
        state.withLock { $0.clusters[ref] = (input, output) }
        return output
    }

    /// Forgets the clusters of Upstreams not seen in the last translation.
    func keepClusters(_ upstreams: Set<ResourceRef>) {
        state.withLock { state in state.clusters = state.clusters.filter { upstreams.contains($0.key) } }
    }

    /// Starts a translation in `world`: virtual hosts built in another world are dropped.
    func enter(_ world: RouteWorld) {
        state.withLock { state in
            if state.world != world {
                state.world = world
                state.hosts = [:]
                state.scoped = [:]
                state.scopedChains = [:]
            }
        }
    }

    func host(_ service: VirtualService, context: HostContext = HostContext(), build: () -> HostOutput) -> HostOutput {
        let ref = service.ref
        if let hit = state.withLock({ $0.hosts[ref] }), hit.isCurrent(for: service), hit.output.context == context { return hit.output }
        let output = build()
        state.withLock { $0.hosts[ref] = Derived(service, output) }
        return output
    }

    /// Numbers a new translation and accounts, per proxy, for what it kept from the last one
    /// (which is then forgotten: the outputs given are the base of the next account).
    func account(_ outputs: [(group: String, envoy: EnvoyResources)]) -> (generation: UInt64, accounts: [ReuseAccount]) {
        // Numbers are unique across caches: an account can never be taken for another cache's.
        let generation = translationGenerations.add(1, ordering: .relaxed).newValue
        let (base, previous) = state.withLock { state in
            let taken = (state.generation, state.lastOutputs)
            state.generation = generation
            state.lastOutputs = Dictionary(outputs.map { ($0.group, $0.envoy) }, uniquingKeysWith: { first, _ in first })
            return taken
        }
        let accounts = outputs.map { output -> ReuseAccount in
            guard let base, let before = previous[output.group] else { return .none }
            return ReuseAccount.between(output.envoy, before, base: base)
        }
        return (generation, accounts)
    }

    func scopedChain(_ chain: String) -> ScopedChain? { state.withLock { $0.scopedChains[chain] } }

    func keepScopedChain(_ chain: String, _ memo: ScopedChain) { state.withLock { $0.scopedChains[chain] = memo } }

    func scopedEntry(_ key: ScopedKey, service: VirtualService, build: () -> ScopedEntry) -> ScopedEntry {
        if let hit = state.withLock({ $0.scoped[key] }), hit.isCurrent(for: service) { return hit.output }
        let entry = build()
        state.withLock { $0.scoped[key] = Derived(service, entry) }
        return entry
    }

    /// Forgets the virtual hosts, scoped outputs and scoped chains of VirtualServices (and
    /// chains) not in the last translation. The sets are only built when more entries are cached than were used,
    /// which is the only way stale ones pile up.
    func keep(
        hosts hostCount: Int, _ hosts: () -> Set<ResourceRef>, scoped scopedCount: Int, _ scoped: () -> Set<ScopedKey>,
        chains: Set<String>
    ) {
        state.withLock { state in
            if state.scopedChains.keys.contains(where: { !chains.contains($0) }) {
                state.scopedChains = state.scopedChains.filter { chains.contains($0.key) }
            }
            if state.hosts.count > hostCount || state.subsetRequests.count > hostCount {
                let keep = hosts()
                state.hosts = state.hosts.filter { keep.contains($0.key) }
                state.subsetRequests = state.subsetRequests.filter { keep.contains($0.key) }
            }
            if state.scoped.count > scopedCount {
                let keep = scoped()
                state.scoped = state.scoped.filter { keep.contains($0.key) }
            }
        }
    }
}
