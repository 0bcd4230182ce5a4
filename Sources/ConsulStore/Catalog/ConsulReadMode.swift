/// How discovery's catalog and health reads are served (Settings `consulDiscovery`
/// `consistencyMode` and `queryOptions.useCache`): Consul's `stale` or `consistent` modes, and
/// the agent's cache (`cached`, with background refresh for blocking queries).
public struct ConsulReadMode: Sendable, Hashable {
    public var consistency: ConsulClientConfiguration.Consistency
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
        if cached { parameters.append(("cached", nil)) }
        return parameters
    }
}
