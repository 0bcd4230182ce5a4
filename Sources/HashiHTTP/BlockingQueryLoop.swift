/// Repeats one Consul or Nomad blocking query for as long as its task runs (REFERENCE.md sections 4 and 6): the
/// index from each answer, reset when it goes backwards, never 0 in a loop; an answer that comes
/// back early without a change waits out the rest of a second; failures back off with jitter.
public struct BlockingQueryLoop: Sendable {
    public var minimumBackoff: Duration
    public var maximumBackoff: Duration
    /// Early answers without a change (a proxy that does not block, a stuck index) are repeated at
    /// most once per this long.
    public var minimumInterval: Duration

    public init(minimumBackoff: Duration = .milliseconds(250), maximumBackoff: Duration = .seconds(30),
                minimumInterval: Duration = .seconds(1)) {
        self.minimumBackoff = minimumBackoff
        self.maximumBackoff = maximumBackoff
        self.minimumInterval = minimumInterval
    }

    /// What one round of the loop produced.
    public enum Event<Value: Sendable>: Sendable {
        /// The first answer, the first after a failure, or one whose index moved (`reset`: it went backwards).
        case value(Value, reset: Bool)
        /// The query failed; it is tried again after `retryIn`.
        case failed(any Error, retryIn: Duration)
    }

    /// Runs `fetch` (given the index to block on; nil for the first, non-blocking read; it returns
    /// the value and the answer's index header) until the task is cancelled, handing every answer
    /// that may hold a change and every failure to `handle`.
    public func run<Value: Sendable>(
        _ fetch: (UInt64?) async throws -> (Value, UInt64), handle: (Event<Value>) async -> Void
    ) async {
        var index = BlockingQueryIndex()
        var backoff = minimumBackoff
        var first = true
        var failing = false
        while !Task.isCancelled {
            let asked = ContinuousClock.now
            do {
                // After a failure the read does not block: it answers at once, so a recovery is
                // known at once (and not only with the next change).
                let (value, answerIndex) = try await fetch(index.next == 0 || failing ? nil : index.next)
                let outcome = index.receive(answerIndex)
                backoff = minimumBackoff
                if first || failing || outcome != .unchanged {
                    await handle(.value(value, reset: outcome == .reset && !first))
                }
                first = false
                failing = false
                if outcome != .changed {
                    try await Task.sleep(until: asked + minimumInterval, clock: .continuous)
                }
            } catch {
                if Task.isCancelled { return }
                failing = true
                let pause = Self.jittered(backoff)
                await handle(.failed(error, retryIn: pause))
                try? await Task.sleep(for: pause)
                backoff = min(backoff * 2, maximumBackoff)
            }
        }
    }

    /// `duration` plus up to a quarter more, so clients do not retry in step.
    public static func jittered(_ duration: Duration) -> Duration {
        duration + duration * Double.random(in: 0..<0.25)
    }
}
