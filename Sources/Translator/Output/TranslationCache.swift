import EnvoyAPI
import Foundation
import GlooAPI
import Synchronization

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
    }

    struct HostOutput {
        var host: Envoy_Config_Route_V3_VirtualHost?
        var proxyHost: ProxyVirtualHost?
        var findings: [Finding]
        var usesCors: Bool
    }

    struct ScopedOutput {
        var configuration: Envoy_Config_Route_V3_RouteConfiguration
        var payload: Data
    }

    // Keyed by reference, with the input kept for an equality check: unchanged values share
    // storage with the previous listing, so the check is usually a pointer comparison, and no
    // deep hashing of endpoints or routes is needed.
    private struct State {
        var clusters: [ResourceRef: (input: ClusterInput, output: ClusterOutput)] = [:]
        var world: RouteWorld?
        var hosts: [ResourceRef: (service: VirtualService, output: HostOutput)] = [:]
        /// Scoped-mode RouteConfigurations by name; like hosts, valid within one route world.
        var scoped: [String: (service: VirtualService, output: ScopedOutput?)] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func cluster(_ input: ClusterInput, build: () -> ClusterOutput) -> ClusterOutput {
        let ref = input.upstream.ref
        if let cached = state.withLock({ $0.clusters[ref] }), cached.input == input { return cached.output }
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
            }
        }
    }

    func host(_ service: VirtualService, build: () -> HostOutput) -> HostOutput {
        if let cached = state.withLock({ $0.hosts[service.ref] }), cached.service == service { return cached.output }
        let output = build()
        state.withLock { $0.hosts[service.ref] = (service, output) }
        return output
    }

    func scopedConfiguration(_ name: String, service: VirtualService, build: () -> ScopedOutput?) -> ScopedOutput? {
        if let cached = state.withLock({ $0.scoped[name] }), cached.service == service { return cached.output }
        let output = build()
        state.withLock { $0.scoped[name] = (service, output) }
        return output
    }

    /// Forgets the virtual hosts and scoped RouteConfigurations of VirtualServices not seen in
    /// the last translation.
    func keepHosts(_ services: Set<ResourceRef>, scopedConfigurations: Set<String>) {
        state.withLock { state in
            state.hosts = state.hosts.filter { services.contains($0.key) }
            state.scoped = state.scoped.filter { scopedConfigurations.contains($0.key) }
        }
    }
}
