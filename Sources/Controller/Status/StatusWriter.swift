import GlooAPI
import HashiHTTP
import Logging
import ServiceLifecycle
import Synchronization
import Translator

/// Writes each translation's reports back into the stored values (Gloo's
/// `namespacedStatuses.statuses.<namespace>`), while this instance leads: only statuses that
/// differ from the stored ones, compare-and-set on the version that was translated, in batches.
/// A quiet store costs no request; losing leadership stops the writes before the next batch.
/// Statuses wait until the configuration has settled (`quiet` without a new translation, at
/// most `maximumDelay`): a burst of edits is reported in one batch, and reaching Envoy never
/// waits behind a status write (each write wakes every replica's watch).
public struct StatusWriter: Service {
    let store: any ResourceStore
    let election: any LeaderElection
    let reporterNamespace: String
    let rootKey: String
    let logger: Logger
    let metrics: GatewayMetrics?
    /// How many batches of 64 run at once.
    let concurrency: Int
    let quiet: Duration
    let maximumDelay: Duration
    /// How long to wait before writing again what failed (Consul unreachable, say).
    let retryPause: Duration
    let timeline: Timeline
    private let inbox = StatusInbox()

    public init(
        store: any ResourceStore, election: any LeaderElection, reporterNamespace: String, rootKey: String = ResourceKey.defaultRootKey,
        logger: Logger, metrics: GatewayMetrics? = nil, concurrency: Int = 2,
        quiet: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(5), retryPause: Duration = .seconds(5),
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        timeline = Timeline(clock)
        self.retryPause = retryPause
        self.quiet = quiet
        self.maximumDelay = maximumDelay
        self.store = store
        self.election = election
        self.reporterNamespace = reporterNamespace
        self.rootKey = rootKey
        self.logger = logger
        self.metrics = metrics
        self.concurrency = max(1, concurrency)
    }

    /// Hands over the newest listing and the reports of its configuration (older ones are
    /// dropped); `translated` when it was a new configuration (not only new versions).
    /// What the last pass did (nil before the first).
    public var progress: StatusWriterProgress? { inbox.progress }

    public func submit(_ listing: ResourceListing, reports: Reports, translated: Bool) {
        inbox.submit(listing, reports, translated: translated)
    }

    public func run() async throws {
        let inbox = inbox
        let election = election
        let metrics = metrics
        let logger = logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var current: LeadershipState?
                for await state in election.leadership() where state != current {
                    current = state
                    inbox.setLeader(state == .leader)
                    metrics?.leadership(state)
                    logger.info(state == .leader ? "leading: writing statuses" : "following: not writing statuses")
                }
            }
            var memo: [String: StatusMemo] = [:]
            var generation: UInt64?
            for await _ in inbox.signals.cancelOnGracefulShutdown() {
                guard inbox.isLeader else {
                    inbox.record(.following)
                    continue
                }
                await CoalescingWindow.settle(quiet: quiet, maximumDelay: maximumDelay, on: timeline) { inbox.translations }
                guard inbox.isLeader, let (listing, reports) = inbox.latest else {
                    inbox.record(.following)
                    continue
                }
                if generation != listing.generation {
                    // Versions of another generation (a restored Consul) say nothing about these.
                    memo = [:]
                    generation = listing.generation
                }
                let writes = StatusPlan.writes(listing: listing, reports: reports, reporterNamespace: reporterNamespace,
                                               rootKey: rootKey, memo: memo)
                if writes.isEmpty {
                    inbox.record(.upToDate, index: listing.index)
                    continue
                }
                let failures = await write(writes, memo: &memo, inbox: inbox)
                inbox.record(failures.map { .failed($0.count) } ?? .wrote(writes.count), index: listing.index)
                if let failures {
                    // Consul failing: one line for the pass, and another pass after a pause (the
                    // memo lacks what failed, so that is what gets written).
                    logger.warning("status writes failed; trying again",
                                   metadata: ["failed": "\(failures.count)", "error": "\(failures.first)", "retryIn": "\(retryPause)"])
                    let pause = retryPause, timeline = timeline
                    group.addTask {
                        try? await timeline.sleep(for: pause)
                        inbox.poke()
                    }
                }
            }
            group.cancelAll()
            await election.resign()
        }
    }

    /// Writes `writes` in batches of 64 (a store with transactions writes each batch in two
    /// requests), `concurrency` batches at a time, while this instance leads. Returns the
    /// failures that are worth another try (count and the first error), if any.
    private func write(
        _ writes: [StatusChange], memo: inout [String: StatusMemo], inbox: StatusInbox
    ) async -> (count: Int, first: String)? {
        var failures: (count: Int, first: String)?
        var pending = stride(from: 0, to: writes.count, by: 64).map { Array(writes[$0..<min($0 + 64, writes.count)]) }[...]
        await withTaskGroup(of: [(StatusChange, Result<StatusUpdate, any Error>)].self) { group in
            func startNext() -> Bool {
                guard inbox.isLeader, !Task.isCancelled, let batch = pending.popFirst() else { return false }
                let store = store
                let namespace = reporterNamespace
                group.addTask {
                    Array(zip(batch, await store.updateStatuses(batch, reporterNamespace: namespace)))
                }
                return true
            }
            for _ in 0..<concurrency where !startNext() { break }
            while let results = await group.next() {
                for (change, result) in results {
                    if let error = record(change, result, memo: &memo) {
                        failures = ((failures?.count ?? 0) + 1, failures?.first ?? "\(error)")
                    }
                }
                _ = startNext()
            }
        }
        return failures
    }

    /// Notes the outcome of one write; returns the error of a failure worth another try.
    private func record(_ write: StatusChange, _ result: Result<StatusUpdate, any Error>, memo: inout [String: StatusMemo]) -> (any Error)? {
        let key = write.key.key
        switch result {
        case .success(.written(let version)):
            memo[key] = StatusMemo(from: write.basis?.version ?? version, to: version, status: write.status)
            metrics?.statusWrite("written")
            logger.debug("status written", metadata: ["key": "\(key)", "state": "\(write.status.state?.rawValue ?? "")"])
        case .success(.unchanged(let version)):
            memo[key] = StatusMemo(from: write.basis?.version ?? version, to: version, status: write.status)
            metrics?.statusWrite("unchanged")
        case .success(.superseded):
            // The user changed the value since: the next translation reports on the new one.
            metrics?.statusWrite("superseded")
        case .failure(let error):
            metrics?.statusWrite("failed")
            if case StoreError.invalid = error {
                // Not YAML (or not an object): never rewritten; reported once per version.
                memo[key] = StatusMemo(from: write.basis?.version ?? 0, to: nil, status: nil)
                logger.warning("status not written: the stored value cannot carry one", metadata: ["key": "\(key)", "error": "\(error)"])
                return nil
            }
            logger.debug("status write failed", metadata: ["key": "\(key)", "error": "\(error)"])
            return error
        }
        return nil
    }
}

/// The newest listing and reports for the writer, whether this instance leads, and a signal
/// per change of either.
final class StatusInbox: Sendable {
    private struct State {
        var latest: (ResourceListing, Reports)?
        var leader = false
        var translations = 0
        var progress: StatusWriterProgress?
    }

    private let state = Mutex(State())
    let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init() {
        (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func submit(_ listing: ResourceListing, _ reports: Reports, translated: Bool) {
        state.withLock {
            $0.latest = (listing, reports)
            if translated { $0.translations += 1 }
        }
        signal.yield()
    }

    /// Asks for another pass over the latest listing.
    func poke() { signal.yield() }

    func setLeader(_ leader: Bool) {
        state.withLock { $0.leader = leader }
        signal.yield()
    }

    /// Notes a pass's outcome over the listing at `index` (default: the newest submitted).
    func record(_ outcome: StatusWriterProgress.Outcome, index: UInt64? = nil) {
        state.withLock { $0.progress = StatusWriterProgress(index: index ?? $0.latest?.0.index ?? 0, outcome: outcome) }
    }

    var progress: StatusWriterProgress? { state.withLock { $0.progress } }
    var latest: (ResourceListing, Reports)? { state.withLock { $0.latest } }
    var isLeader: Bool { state.withLock { $0.leader } }
    var translations: Int { state.withLock { $0.translations } }
}
