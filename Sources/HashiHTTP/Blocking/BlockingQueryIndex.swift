/// The index of a Consul or Nomad blocking query, as a pure state machine (REFERENCE.md sections
/// 4 and 6): the next `?index=` to send, reset when the index goes backwards, never 0 in a loop.
public struct BlockingQueryIndex: Hashable, Sendable {
    /// The index to send with the next request; 0 only for the very first one.
    public private(set) var next: UInt64 = 0

    public init() {}

    /// What an answer means for the caller.
    public enum Outcome: Hashable, Sendable {
        /// The index moved forward: the data may have changed.
        case changed
        /// The wait timed out with the same index: nothing changed.
        case unchanged
        /// The index went backwards (a snapshot restore, a new leader): re-read from scratch.
        case reset
    }

    /// Feeds the `X-Consul-Index` (or `X-Nomad-Index`) of an answer.
    public mutating func receive(_ index: UInt64) -> Outcome {
        let previous = next
        if index < previous {
            // Consul's rule: start over with a fresh read, but never block on index 0.
            next = max(index, 1)
            return .reset
        }
        next = max(index, 1)
        return index == previous ? .unchanged : .changed
    }
}
