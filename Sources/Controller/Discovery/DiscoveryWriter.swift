import ConsulStore
import GlooAPI
import HashiHTTP
import Logging
import ServiceLifecycle
import Synchronization

/// Gloo's split deployment (`gloo-hashi discovery`): discovered Upstreams written into the
/// store, by the leader only. Each write is compare-and-set, an Upstream that did not change is
/// not written, one whose service is gone is deleted, and an Upstream without discovery's label
/// (written by a user) is never touched.
public struct DiscoveryWriter: Service {
    let discovery: any EndpointDiscovery
    let store: any ResourceStore
    let election: any LeaderElection
    /// The namespace discovered Upstreams live in.
    let namespace: String
    let logger: Logger
    let retryPause: Duration
    let timeline: Timeline

    public init(
        discovery: any EndpointDiscovery, store: any ResourceStore, election: any LeaderElection, namespace: String, logger: Logger,
        retryPause: Duration = .seconds(5), clock: any Clock<Duration> = ContinuousClock()
    ) {
        timeline = Timeline(clock)
        self.discovery = discovery
        self.store = store
        self.election = election
        self.namespace = namespace
        self.logger = logger
        self.retryPause = retryPause
    }

    /// What one reconciliation changed.
    public struct Changes: Hashable, Sendable {
        public var created = 0
        public var updated = 0
        public var deleted = 0
        public var unchanged = 0
    }

    public func run() async throws {
        let latest = Latest()
        let (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let discovery = discovery
        let election = election
        let timeline = timeline
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do {
                        for try await result in discovery.discoveries() {
                            latest.withLock { $0.result = result }
                            signal.yield()
                        }
                    } catch {}
                    try? await timeline.sleep(for: .seconds(1))
                }
            }
            group.addTask {
                for await role in election.leadership() {
                    latest.withLock { $0.role = role }
                    signal.yield()
                }
            }
            var written: [Upstream]?
            for await _ in signals.cancelOnGracefulShutdown() {
                let (result, role) = latest.withLock { ($0.result, $0.role) }
                // Only a complete answer says which services exist: a partial one would delete the rest.
                guard role == .leader, let result, result.complete else {
                    written = nil
                    continue
                }
                if written == result.upstreams { continue }
                do {
                    let changes = try await Self.reconcile(result.upstreams, store: store, namespace: namespace)
                    written = result.upstreams
                    if changes != Changes(unchanged: changes.unchanged) {
                        logger.info("discovered upstreams written", metadata: [
                            "created": "\(changes.created)", "updated": "\(changes.updated)", "deleted": "\(changes.deleted)",
                            "unchanged": "\(changes.unchanged)",
                        ])
                    }
                } catch {
                    logger.error("writing discovered upstreams failed; trying again", metadata: [
                        "error": "\(error)", "retryIn": "\(retryPause)",
                    ])
                    let pause = retryPause
                    group.addTask {
                        try? await timeline.sleep(for: pause)
                        signal.yield()
                    }
                }
            }
            group.cancelAll()
            await election.resign()
        }
    }

    /// The newest discovery result and role, shared with the tasks that follow them.
    private final class Latest: Sendable {
        private let state = Mutex<(result: DiscoveryResult?, role: LeadershipState)>((nil, .follower))
        func withLock<T: Sendable>(_ body: (inout (result: DiscoveryResult?, role: LeadershipState)) -> T) -> T {
            state.withLock { body(&$0) }
        }
    }

    /// Makes the stored discovered Upstreams in `namespace` match `upstreams`.
    public static func reconcile(_ upstreams: [Upstream], store: any ResourceStore, namespace: String) async throws -> Changes {
        var changes = Changes()
        let stored = try await store.list(Upstream.self, namespace: namespace)
        let byName = Dictionary(stored.map { ($0.metadata.name, $0) }, uniquingKeysWith: { first, _ in first })
        let ours = { (upstream: Upstream) in
            upstream.metadata.labels[ConsulDiscoveryOptions.discoveredByLabel] == ConsulDiscoveryOptions.discoveredByValue
        }
        for upstream in upstreams {
            var wanted = upstream
            if let existing = byName[upstream.metadata.name] {
                guard ours(existing) else { continue }
                if existing.withoutStoreState() == upstream.withoutStoreState() {
                    changes.unchanged += 1
                    continue
                }
                wanted.metadata.resourceVersion = existing.metadata.resourceVersion
                _ = try await store.put(wanted)
                changes.updated += 1
            } else {
                wanted.metadata.resourceVersion = ""
                _ = try await store.put(wanted)
                changes.created += 1
            }
        }
        let names = Set(upstreams.map(\.metadata.name))
        for existing in stored where ours(existing) && !names.contains(existing.metadata.name) {
            try await store.delete(Upstream.self, existing.metadata.ref, resourceVersion: existing.metadata.resourceVersion)
            changes.deleted += 1
        }
        return changes
    }
}
