import EnvoyAPI
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

    private struct State {
        var clusters: [ClusterInput: ClusterOutput] = [:]
        var world: RouteWorld?
        var hosts: [VirtualService: HostOutput] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func cluster(_ input: ClusterInput, build: () -> ClusterOutput) -> ClusterOutput {
        if let cached = state.withLock({ $0.clusters[input] }) { return cached }
        let output = build()
        state.withLock { $0.clusters[input] = output }
        return output
    }

    /// Forgets the clusters of inputs not seen in the last translation.
    func keepClusters(_ inputs: Set<ClusterInput>) {
        state.withLock { state in state.clusters = state.clusters.filter { inputs.contains($0.key) } }
    }

    /// Starts a translation in `world`: virtual hosts built in another world are dropped.
    func enter(_ world: RouteWorld) {
        state.withLock { state in
            if state.world != world {
                state.world = world
                state.hosts = [:]
            }
        }
    }

    func host(_ service: VirtualService, build: () -> HostOutput) -> HostOutput {
        if let cached = state.withLock({ $0.hosts[service] }) { return cached }
        let output = build()
        state.withLock { $0.hosts[service] = output }
        return output
    }

    func keepHosts(_ services: Set<VirtualService>) {
        state.withLock { state in state.hosts = state.hosts.filter { services.contains($0.key) } }
    }
}
