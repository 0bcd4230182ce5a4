import HashiHTTP
import Foundation
import GlooAPI
import Logging
import Synchronization

/// Leader election over a Consul session and a lock key (`<root>/.control/leader`): the session
/// has a TTL renewed at a third of it, behavior `delete` and a short lock delay. Followers
/// block on the lock key and try again when it is freed. Leadership ends the moment the session
/// is lost (a renewal answered 404, or no successful renewal within a TTL) or the lock changes
/// hands; a new session is then created. A dead leader is replaced after at most 2 × TTL +
/// LockDelay (Consul may wait up to twice the TTL to invalidate a session).
public final class ConsulLeaderElection: LeaderElection {
    public let kv: ConsulKV
    public let sessions: ConsulSession
    public let lockKey: String
    /// Written into the lock key so operators see who leads (`consul kv get gloo/.control/leader`).
    public let identity: String
    public let options: ConsulSession.Options
    let logger: Logger
    let timeline: Timeline
    private let current = Mutex<String?>(nil)

    public init(
        client: ConsulHTTPClient, rootKey: String = ResourceKey.defaultRootKey, identity: String,
        ttl: Duration = .seconds(15), lockDelay: Duration = .seconds(1), lockName: String = "leader", logger: Logger,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        timeline = Timeline(clock)
        kv = ConsulKV(client: client)
        sessions = ConsulSession(client: client)
        lockKey = ResourceKey.controlPrefix(rootKey: rootKey) + lockName
        self.identity = identity
        options = ConsulSession.Options(name: "gloo-hashi \(lockName) election", ttl: max(ttl, .seconds(10)), behavior: .delete,
                                        lockDelay: lockDelay)
        self.logger = logger
    }

    public func leadership() -> AsyncStream<LeadershipState> {
        let (stream, continuation) = AsyncStream<LeadershipState>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let election = self
        let task = Task {
            continuation.yield(.follower)
            var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
            while !Task.isCancelled {
                do {
                    let session = try await election.sessions.create(election.options)
                    election.current.withLock { $0 = session }
                    backoff.reset()
                    // The campaign and the renewal run side by side; whichever ends first (the
                    // session is lost) ends both.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await election.keepAlive(session) }
                        group.addTask { try await election.campaign(session, continuation) }
                        try await group.next()
                        group.cancelAll()
                    }
                } catch where Task.isCancelled {
                    break
                } catch {
                    continuation.yield(.follower)
                    election.logger.warning("leader election: session lost or Consul failing; trying again",
                                            metadata: ["error": "\(error)", "retryIn": "\(backoff.current)"])
                }
                continuation.yield(.follower)
                if let lost = election.current.withLock({ state -> String? in defer { state = nil }; return state }) {
                    try? await election.sessions.destroy(lost)
                }
                try? await election.timeline.sleep(for: backoff.next())
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    public func resign() async {
        guard let session = current.withLock({ state -> String? in defer { state = nil }; return state }) else { return }
        // Releasing first frees the lock without the lock delay; destroying ends the session.
        _ = try? await kv.release(lockKey, session: session)
        try? await sessions.destroy(session)
        logger.info("leader election: resigned")
    }

    /// Renews `session` every third of its TTL; throws once it is gone or could not be renewed for a whole TTL.
    func keepAlive(_ session: String) async throws {
        var lastRenewal = timeline.now
        while true {
            try await timeline.sleep(for: options.ttl / 3)
            do {
                guard try await sessions.renew(session) else { throw SessionLost(reason: "Consul no longer knows the session") }
                lastRenewal = timeline.now
            } catch let lost as SessionLost {
                throw lost
            } catch {
                if timeline.now - lastRenewal >= options.ttl {
                    throw SessionLost(reason: "no renewal for a whole TTL: \(error)")
                }
            }
        }
    }

    /// Tries to take the lock; while held, watches that it stays ours; while not, waits until it is freed.
    func campaign(_ session: String, _ continuation: AsyncStream<LeadershipState>.Continuation) async throws {
        var index = BlockingQueryIndex()
        var leading = false
        var (pair, meta) = try await kv.get(lockKey)
        _ = index.receive(meta.index)
        while true {
            if pair?.session == nil {
                if leading {
                    // Our lock is gone (the session was invalidated, or someone deleted the key):
                    // stop writing before anything else.
                    leading = false
                    continuation.yield(.follower)
                }
                // A resigned election does not take the lock back with the session it is ending.
                guard current.withLock({ $0 == session }) else { throw SessionLost(reason: "resigned") }
                if try await kv.acquire(lockKey, session: session, value: Array(identity.utf8)) {
                    leading = true
                    logger.info("leader election: leading", metadata: ["lock": "\(lockKey)"])
                    continuation.yield(.leader)
                } else {
                    // The lock delay of a lost session still runs: wait it out and look again.
                    try await timeline.sleep(for: options.lockDelay)
                    (pair, meta) = try await kv.get(lockKey)
                    _ = index.receive(meta.index)
                    continue
                }
            } else if pair?.session == session {
                if !leading { continuation.yield(.leader) }
                leading = true
            } else if leading {
                throw SessionLost(reason: "the lock is held by another session")
            }
            // Wait for the lock key to change (an early answer with nothing new: at most one a second).
            let started = timeline.now
            (pair, meta) = try await kv.get(lockKey, index: index.next)
            if index.receive(meta.index) == .unchanged, timeline.now - started < .seconds(1) {
                try await timeline.sleep(until: started + .seconds(1))
            }
        }
    }

    struct SessionLost: Error, CustomStringConvertible {
        var reason: String
        var description: String { "leader session lost: \(reason)" }
    }
}
