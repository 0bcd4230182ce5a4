import Synchronization

/// Fired once when the server shuts down gracefully: every open ADS stream then ends with OK
/// (an Envoy reconnects to another instance) instead of holding the shutdown open forever.
final class ShutdownSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [Int: AsyncStream<Void>.Continuation], next: Int)>((false, [:], 0))

    func fire() {
        let waiters = state.withLock { state -> [AsyncStream<Void>.Continuation] in
            state.fired = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.yield()
            waiter.finish()
        }
    }

    /// Returns when the signal fires (at once if it already has), or when the task is cancelled.
    func wait() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let registered = state.withLock { state -> Int? in
            if state.fired { return nil }
            state.next += 1
            state.waiters[state.next] = continuation
            return state.next
        }
        guard let id = registered else { return }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.waiters.removeValue(forKey: id) }
        }
        for await _ in stream { return }
    }
}
