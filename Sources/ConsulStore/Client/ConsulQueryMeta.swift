/// What Consul says about a read besides its body: the blocking-query index and the leader's
/// state (`X-Consul-Index`, `X-Consul-KnownLeader`, `X-Consul-LastContact`).
public struct ConsulQueryMeta: Sendable, Hashable {
    public var index: UInt64
    public var knownLeader: Bool
    /// Milliseconds since the serving node last heard from the leader (stale reads).
    public var lastContactMilliseconds: UInt64

    public init(index: UInt64, knownLeader: Bool = true, lastContactMilliseconds: UInt64 = 0) {
        self.index = index
        self.knownLeader = knownLeader
        self.lastContactMilliseconds = lastContactMilliseconds
    }
}
