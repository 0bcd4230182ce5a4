import Foundation

/// The blocking queries a test server holds open. Each waits for a change, its deadline, or
/// the server stopping, so a graceful shutdown never waits out a five-minute `wait`.
struct ParkedQueries {
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    /// Set when the server stops: parked queries return at once and new ones do not park.
    private(set) var stopping = false

    /// How many queries are waiting now.
    var count: Int { waiters.count }

    mutating func park(_ id: UUID, _ continuation: CheckedContinuation<Void, Never>) {
        if stopping { continuation.resume() } else { waiters[id] = continuation }
    }

    mutating func wake(_ id: UUID) { waiters.removeValue(forKey: id)?.resume() }

    /// Wakes every parked query (something changed); each re-checks its index.
    mutating func wakeAll() {
        let waiting = waiters
        waiters = [:]
        for continuation in waiting.values { continuation.resume() }
    }

    mutating func stop() {
        stopping = true
        wakeAll()
    }
}

/// A test server state that answers blocking queries.
protocol BlockingQueryHost: Actor {
    var parked: ParkedQueries { get set }
}

extension BlockingQueryHost {
    /// Waits until `current` reports an index above `index`, `wait` passes, or the server stops.
    func block(above index: UInt64, wait: Duration, current: @Sendable (isolated Self) -> UInt64) async {
        let deadline = ContinuousClock.now + wait
        while !parked.stopping, current(self) <= index, ContinuousClock.now < deadline {
            let id = UUID()
            let timer = Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                await self?.wakeParked(id)
            }
            await withCheckedContinuation { continuation in parked.park(id, continuation) }
            timer.cancel()
        }
    }

    private func wakeParked(_ id: UUID) { parked.wake(id) }
}
