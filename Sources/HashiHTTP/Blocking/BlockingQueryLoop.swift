/// Repeats one Consul or Nomad blocking query (REFERENCE.md sections 4 and 6): the index from
/// each answer, reset when it goes backwards, never 0 in a loop; an answer that comes back early
/// without a change waits out the rest of `minimumInterval`; failures back off with jitter, and
/// the read after a failure does not block, so a recovery (or a restore with lower indexes) is
/// seen in one round trip. Time comes from an injected clock.
public struct BlockingQueryLoop: Sendable {
    /// The pauses after failures (reset by every answer).
    public var backoff: Backoff
    /// Early answers without a change (a proxy that does not block, a stuck index) are repeated at
    /// most once per this long.
    public var minimumInterval: Duration
    /// Failures in a row after which `run` throws the last one; nil: retried for as long as the task runs.
    public var maximumFailures: Int?
    public var timeline: Timeline

    public init(backoff: Backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(30)), minimumInterval: Duration = .seconds(1),
                maximumFailures: Int? = nil, clock: any Clock<Duration> = ContinuousClock()) {
        self.backoff = backoff
        self.minimumInterval = minimumInterval
        self.maximumFailures = maximumFailures
        timeline = Timeline(clock)
    }

    /// What one round of the loop produced.
    public enum Event<Value: Sendable>: Sendable {
        /// The first answer, the first after a failure, or one whose index moved (`reset`: it went
        /// backwards); `index` is the answer's index header.
        case value(Value, index: UInt64, reset: Bool)
        /// The query failed; it is tried again after `retryIn`.
        case failed(any Error, retryIn: Duration)
    }

    /// Runs `fetch` (given the index to block on; nil for a read that must not block; it returns
    /// the value and the answer's index header) until the task is cancelled or `handle` returns
    /// false. Without `start` the first read does not block and its answer is always handed on;
    /// with it the loop blocks from `start`. Throws only past `maximumFailures`.
    public func run<Value: Sendable>(
        from start: UInt64? = nil, _ fetch: (UInt64?) async throws -> (Value, UInt64), handle: (Event<Value>) async throws -> Bool
    ) async throws {
        var index = BlockingQueryIndex()
        if let start { _ = index.receive(start) }
        var backoff = backoff
        var first = start == nil
        var failures = 0
        var previousOutcome: BlockingQueryIndex.Outcome?
        while !Task.isCancelled {
            let asked = timeline.now
            let answer: (Value, UInt64)
            do {
                answer = try await fetch(first || failures > 0 ? nil : index.next)
            } catch {
                if Task.isCancelled { return }
                failures += 1
                if let maximumFailures, failures > maximumFailures { throw error }
                let pause = backoff.next()
                guard try await handle(.failed(error, retryIn: pause)) else { return }
                do { try await timeline.sleep(for: pause) } catch { return }
                continue
            }
            let recovering = failures > 0
            let outcome = index.receive(answer.1)
            backoff.reset()
            failures = 0
            if first || recovering || outcome != .unchanged {
                guard try await handle(.value(answer.0, index: answer.1, reset: outcome == .reset && !first)) else { return }
            }
            first = false
            // Pace an early answer without news, and a second reset in a row (a server whose
            // index keeps going backwards); not the read after a failure.
            let pace = (outcome == .unchanged && !recovering) || (outcome == .reset && previousOutcome == .reset)
            previousOutcome = outcome
            if pace, timeline.now - asked < minimumInterval {
                do { try await timeline.sleep(until: asked + minimumInterval) } catch { return }
            }
        }
    }

    /// `run` for a caller that follows the query until its task is cancelled.
    public func run<Value: Sendable>(
        _ fetch: (UInt64?) async throws -> (Value, UInt64), handle: (Event<Value>) async -> Void
    ) async {
        var unbounded = self
        unbounded.maximumFailures = nil
        try? await unbounded.run(from: nil, fetch) { event in
            await handle(event)
            return true
        }
    }
}
