import HashiHTTP
import Synchronization

/// A clock that moves only when a test says so: sleepers wait until `advance` passes their
/// deadline, and a test can wait until the code under test is asleep (`waitForSleepers`), so
/// every timed path is driven step by step, never by a real sleep.
public final class ManualClock: Clock, Sendable {
    /// A reading of the manual clock: how far it has been advanced (Timeline's instant, so the two never drift apart).
    public typealias Instant = Timeline.Instant

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        var count: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var now = Instant(sinceStart: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        /// Sleeps cancelled before they were registered.
        var cancelled: Set<Int> = []
        var waiters: [Int: Waiter] = [:]
        /// How many sleeps have started so far.
        var sleepsStarted = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resume, waiters) = state.withLock { state -> (Result<Void, any Error>?, [CheckedContinuation<Bool, Never>]) in
                    if state.cancelled.remove(id) != nil { return (.failure(CancellationError()), []) }
                    state.sleepsStarted += 1
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return (nil, Self.satisfiedWaiters(&state))
                }
                for waiter in waiters { waiter.resume(returning: true) }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking (in deadline order) every sleeper it passes.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline and wakes it (and any due with it); returns
    /// how far time moved, or nil when nobody sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Duration? {
        let step = state.withLock { state in state.sleepers.values.map(\.deadline).min().map { state.now.duration(to: $0) } }
        if let step { advance(by: step) }
        return step
    }

    /// How many tasks are asleep on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines of the tasks asleep now, as durations from now, earliest first.
    public var pendingDelays: [Duration] {
        state.withLock { state in state.sleepers.values.map { state.now.duration(to: $0.deadline) }.sorted() }
    }

    /// Waits (at most `timeout` of real time) until at least `count` tasks sleep on this clock;
    /// false when the timeout passed first.
    @discardableResult
    public func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(60)) async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.continuation.resume(returning: false)
            }
            let reached = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let done = state.withLock { state -> Bool in
                    if state.sleepers.count >= count { return true }
                    state.waiters[id] = Waiter(count: count, continuation: continuation)
                    return false
                }
                if done { continuation.resume(returning: true) }
            }
            group.cancelAll()
            return reached
        }
    }

    private static func satisfiedWaiters(_ state: inout State) -> [CheckedContinuation<Bool, Never>] {
        let ready = state.waiters.filter { $0.value.count <= state.sleepers.count }
        for id in ready.keys { state.waiters[id] = nil }
        return ready.values.map(\.continuation)
    }
}
