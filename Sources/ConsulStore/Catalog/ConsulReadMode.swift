import GlooAPI

/// How discovery's catalog and health reads are served (Settings `consulDiscovery`
/// `consistencyMode` and `queryOptions.useCache`, then each service's Upstreams): Consul's
/// `stale` or `consistent` modes, and the agent's cache (`cached`, background refresh).
public struct ConsulReadMode: Sendable, Hashable {
    public var consistency: ConsulClientConfiguration.Consistency
    /// Gloo's default is on; Consul refuses it with `consistent`, so it is dropped there.
    public var cached: Bool

    public init(consistency: ConsulClientConfiguration.Consistency = .default, cached: Bool = false) {
        self.consistency = consistency
        self.cached = cached
    }

    /// The query parameters this mode adds.
    var parameters: [(String, String?)] {
        var parameters: [(String, String?)] = []
        switch consistency {
        case .default: break
        case .stale: parameters.append(("stale", nil))
        case .consistent: parameters.append(("consistent", nil))
        }
        if cached && consistency != .consistent { parameters.append(("cached", nil)) }
        return parameters
    }

    /// For the service list (`/v1/catalog/services`), which Gloo never reads from the cache.
    var listing: ConsulReadMode { ConsulReadMode(consistency: consistency, cached: false) }

    /// For one service's instances: the stricter of this mode and what its Upstreams ask (an
    /// Upstream can make reads more consistent, never less than Settings), and no cache if
    /// one of them turns it off.
    func reading(_ request: ConsulReadRequest?) -> ConsulReadMode {
        guard let request else { return self }
        var mode = self
        switch ConsulReadRequest.strictest(request.consistency, Self.glooMode(consistency)) {
        case .staleMode?: mode.consistency = .stale
        case .consistentMode?: mode.consistency = .consistent
        case .defaultMode?, nil: mode.consistency = .default
        }
        if request.refusesCache { mode.cached = false }
        return mode
    }

    private static func glooMode(_ consistency: ConsulClientConfiguration.Consistency) -> ConsulUpstream.ConsistencyMode {
        switch consistency {
        case .default: .defaultMode
        case .stale: .staleMode
        case .consistent: .consistentMode
        }
    }
}
