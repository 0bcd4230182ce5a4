/// What the Upstreams of one Consul service ask of its reads (their `consistencyMode` and
/// `queryOptions.useCache`), combined as Gloo's EDS does: the strictest mode wins, and one
/// Upstream turning the agent cache off turns it off for the service.
public struct ConsulReadRequest: Hashable, Sendable {
    /// The strictest mode set (consistent, then default, then stale); nil: none set one.
    public var consistency: ConsulUpstream.ConsistencyMode?
    /// Whether one of them sets `queryOptions.useCache: false`.
    public var refusesCache = false

    public init(consistency: ConsulUpstream.ConsistencyMode? = nil, refusesCache: Bool = false) {
        self.consistency = consistency
        self.refusesCache = refusesCache
    }

    /// What `upstream` asks; nil when it sets neither option.
    public init?(_ upstream: ConsulUpstream) {
        guard upstream.consistencyMode != nil || upstream.queryOptions?.useCache == false else { return nil }
        self.init(consistency: upstream.consistencyMode, refusesCache: upstream.queryOptions?.useCache == false)
    }

    /// Adds another Upstream's request.
    public mutating func add(_ other: ConsulReadRequest) {
        consistency = Self.strictest(consistency, other.consistency)
        refusesCache = refusesCache || other.refusesCache
    }

    /// The stricter of two modes (nil: not set).
    public static func strictest(_ a: ConsulUpstream.ConsistencyMode?, _ b: ConsulUpstream.ConsistencyMode?) -> ConsulUpstream.ConsistencyMode? {
        guard let a else { return b }
        guard let b else { return a }
        return rank(a) >= rank(b) ? a : b
    }

    private static func rank(_ mode: ConsulUpstream.ConsistencyMode) -> Int {
        switch mode {
        case .staleMode: 0
        case .defaultMode: 1
        case .consistentMode: 2
        }
    }
}
