import GlooAPI
import Logging
import HashiTestServers
import Testing
@testable import Translator
import XDS

@testable import Controller

@Suite struct StatusWriterTests {
    static let upstreamKey = "gloo/gloo.solo.io/v1/Upstream/gloo-system/a"
    static let serviceKey = "gloo/gateway.solo.io/v1/VirtualService/gloo-system/default"
    static let brokenKey = "gloo/gateway.solo.io/v1/VirtualService/gloo-system/broken"

    static func seededStore() async -> InMemoryStore {
        let store = InMemoryStore()
        await store.store(upstreamKey, ConfigLoopTests.upstream)
        await store.store("gloo/gateway.solo.io/v1/Gateway/gloo-system/gw", ConfigLoopTests.gateway)
        await store.store(serviceKey, "# the user's comment\n" + ConfigLoopTests.service + "\nmetadata: {labels: {team: a}}")
        await store.store(brokenKey, "virtualHost: {domains: [b]}\nbogus: 1")
        return store
    }

    static func status(_ store: InMemoryStore, _ key: String) async -> ConfigValue? {
        guard let entry = await store.entry(key), case .success(let tree) = ResourceCodec.parse(entry.value) else { return nil }
        return tree["namespacedStatuses"]?["statuses"]?["gloo-system"]
    }

    static func translations(_ metrics: GatewayMetrics) async -> String? {
        await metrics.exposition(xds: nil).split(separator: "\n").first { $0.hasPrefix("gloo_hashi_translations_total ") }
            .map { String($0.split(separator: " ").last ?? "") }
    }

    @Test func writesEachStatusOnceThenNothing() async throws {
        let store = await Self.seededStore()
        let metrics = GatewayMetrics()
        let writer = StatusWriter(store: store, election: SoleLeader(), reporterNamespace: "gloo-system", logger: Logger(label: "test"),
                                  metrics: metrics, quiet: .milliseconds(50), maximumDelay: .milliseconds(500))
        let loop = ConfigLoop(store: store, cache: SnapshotCache(), state: ControllerState(), quiet: .milliseconds(5),
                              maximumDelay: .milliseconds(50), logger: Logger(label: "test"), metrics: metrics, statusWriter: writer)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            group.addTask { try await writer.run() }
            #expect(await eventually { await Self.status(store, Self.brokenKey)?["state"] == .string("Rejected") })
            #expect(await eventually { await Self.status(store, Self.serviceKey)?["state"] == .string("Accepted") })
            #expect(await eventually { await Self.status(store, Self.upstreamKey)?["reportedBy"] == .string("gloo") })
            #expect(await Self.status(store, Self.serviceKey)?["reportedBy"] == .string("gateway"))
            let broken = await Self.status(store, Self.brokenKey)
            #expect(broken?["reason"].map { "\($0)".contains("bogus") } == true, "the reason names the field: \(String(describing: broken))")
            // What the user wrote stays: the unknown field, the labels, the order of keys.
            let service = try #require(await store.entry(Self.serviceKey))
            let tree = try ResourceCodec.parse(service.value).get()
            #expect(tree.entries?.map(\.key) == ["virtualHost", "metadata", "namespacedStatuses"])
            #expect(tree["metadata"]?["labels"]?["team"] == .string("a"))
            let brokenTree = try ResourceCodec.parse(try #require(await store.entry(Self.brokenKey)).value).get()
            #expect(brokenTree["bogus"] == .number("1"))

            // Quiescence: the status writes come back through the watch, the writer finds nothing
            // more to write in the listing of the store's newest index, and nothing is translated.
            #expect(await eventually { await Self.status(store, "gloo/gateway.solo.io/v1/Gateway/gloo-system/gw") != nil })
            #expect(await eventually { await writer.progress == StatusWriterProgress(index: store.currentIndex, outcome: .upToDate) })
            let translated = await Self.translations(metrics)
            #expect(await Self.translations(metrics) == translated, "status-only changes are not translated")
            #expect(translated == "1")

            // The user fixes the broken one: translated again, and its status follows.
            let fixed = try #require(await store.entry(Self.brokenKey))
            _ = await store.write(Self.brokenKey, value: Array("virtualHost: {domains: [b]}\n".utf8), ifVersion: fixed.version)
            #expect(await eventually { await Self.status(store, Self.brokenKey)?["state"] == .string("Accepted") })
            #expect(await Self.translations(metrics) == "2")
            group.cancelAll()
        }
    }

    @Test func onlyTheLeaderWrites() async throws {
        let store = await Self.seededStore()
        let election = ScriptedElection()
        let writer = StatusWriter(store: store, election: election, reporterNamespace: "gloo-system", logger: Logger(label: "test"),
                                  quiet: .milliseconds(50), maximumDelay: .milliseconds(500))
        let loop = ConfigLoop(store: store, cache: SnapshotCache(), state: ControllerState(), quiet: .milliseconds(5),
                              maximumDelay: .milliseconds(50), logger: Logger(label: "test"), statusWriter: writer)
        let before = await store.currentIndex
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            group.addTask { try await writer.run() }
            election.set(.follower)
            // The writer looks at the first listing as a follower and writes nothing.
            #expect(await eventually { writer.progress == StatusWriterProgress(index: before, outcome: .following) })
            #expect(await store.currentIndex == before, "a follower writes nothing")
            election.set(.leader)
            #expect(await eventually { await Self.status(store, Self.serviceKey)?["state"] == .string("Accepted") })
            // Every status of the pass is in before leadership goes (a write in flight would
            // otherwise land after the index below is read).
            #expect(await eventually {
                let keys = ["gloo/gateway.solo.io/v1/Gateway/gloo-system/gw", Self.upstreamKey, Self.brokenKey]
                for key in keys where await Self.status(store, key) == nil { return false }
                return true
            })
            election.set(.follower)
            let led = await store.currentIndex
            #expect(await eventually { writer.progress == StatusWriterProgress(index: led, outcome: .following) })
            // A change while following: its status is left to the leader.
            let current = try #require(await store.entry(Self.upstreamKey))
            _ = await store.write(Self.upstreamKey, value: Array("static: {hosts: [{addr: 10.0.0.2, port: 80}]}".utf8),
                                  ifVersion: current.version)
            let after = await store.currentIndex
            #expect(await eventually { writer.progress == StatusWriterProgress(index: after, outcome: .following) })
            #expect(await store.currentIndex == after)
            group.cancelAll()
        }
    }

    @Test func failedWritesAreTriedAgainWithoutANewChange() async throws {
        let store = await Self.seededStore()
        let flaky = FailingFirstStatusWrites(store: store)
        let writer = StatusWriter(store: flaky, election: SoleLeader(), reporterNamespace: "gloo-system", logger: Logger(label: "test"),
                                  quiet: .milliseconds(20), maximumDelay: .milliseconds(200), retryPause: .milliseconds(100))
        let loop = ConfigLoop(store: store, cache: SnapshotCache(), state: ControllerState(), quiet: .milliseconds(5),
                              maximumDelay: .milliseconds(50), logger: Logger(label: "test"), statusWriter: writer)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            group.addTask { try await writer.run() }
            #expect(await eventually { await flaky.attempts >= 2 })
            #expect(await eventually { await Self.status(store, Self.serviceKey)?["state"] == .string("Accepted") },
                    "written on the second pass, with nothing else changing")
            group.cancelAll()
        }
    }

    @Test func planSkipsWhatIsStoredAndWhatWasJustWritten() {
        var listing = ResourceListing()
        var upstream = Upstream(metadata: Metadata(name: "a", namespace: "gloo-system"),
                                upstreamType: .static(StaticUpstream(hosts: [StaticHost(addr: "10.0.0.1", port: 80)])))
        upstream.metadata.resourceVersion = "7"
        listing.resources.insert(AnyResource(upstream))
        listing.rejectedVersions = [Self.brokenKey: 9]
        let reports = Reports()
        let writes = StatusPlan.writes(listing: listing, reports: reports, reporterNamespace: "gloo-system", rootKey: "gloo", memo: [:])
        #expect(writes.map(\.key.key) == [Self.upstreamKey, Self.brokenKey])
        #expect(writes.first?.status == Status(state: .accepted, reportedBy: "gloo"))
        #expect(writes.first?.basis?.version == 7)
        // Stored already: nothing to do.
        upstream.namespacedStatuses.statuses["gloo-system"] = Status(state: .accepted, reportedBy: "gloo")
        var stored = ResourceListing()
        stored.resources.insert(AnyResource(upstream))
        #expect(StatusPlan.writes(listing: stored, reports: reports, reporterNamespace: "gloo-system", rootKey: "gloo", memo: [:]).isEmpty)
        // Written from version 9 to 10: neither the old nor the new version needs another write.
        let memo = [Self.brokenKey: StatusMemo(from: 9, to: 10, status: Status(state: .accepted, reportedBy: "gateway"))]
        var rejected = ResourceListing()
        rejected.rejectedVersions = [Self.brokenKey: 10]
        #expect(StatusPlan.writes(listing: rejected, reports: reports, reporterNamespace: "gloo-system", rootKey: "gloo", memo: memo).isEmpty)
        rejected.rejectedVersions = [Self.brokenKey: 11]
        #expect(StatusPlan.writes(listing: rejected, reports: reports, reporterNamespace: "gloo-system", rootKey: "gloo", memo: memo).count == 1,
                "a user's edit (a newer version) is written again")
    }
}

/// Leadership a test sets by hand.
final class ScriptedElection: LeaderElection, Sendable {
    private let stream: AsyncStream<LeadershipState>
    private let continuation: AsyncStream<LeadershipState>.Continuation

    init() {
        (stream, continuation) = AsyncStream<LeadershipState>.makeStream()
    }

    func set(_ state: LeadershipState) { continuation.yield(state) }

    func leadership() -> AsyncStream<LeadershipState> { stream }

    func resign() async {}
}

/// A store whose first batch of status writes fails (Consul unreachable for a moment).
actor FailingFirstStatusWrites: ResourceStore {
    let store: InMemoryStore
    private(set) var attempts = 0

    init(store: InMemoryStore) { self.store = store }

    func updateStatuses(_ changes: [StatusChange], reporterNamespace: String) async -> [Result<StatusUpdate, any Error>] {
        attempts += 1
        if attempts == 1 { return changes.map { _ in .failure(StoreError.notFound(key: "unreachable")) } }
        return await store.updateStatuses(changes, reporterNamespace: reporterNamespace)
    }

    nonisolated func get<R: Resource>(_ type: R.Type, _ ref: ResourceRef) async throws -> R? { try await store.get(type, ref) }
    nonisolated func list<R: Resource>(_ type: R.Type, namespace: String?) async throws -> [R] { try await store.list(type, namespace: namespace) }
    nonisolated func put<R: Resource>(_ resource: R) async throws -> R { try await store.put(resource) }
    nonisolated func delete<R: Resource>(_ type: R.Type, _ ref: ResourceRef, resourceVersion: String?) async throws {
        try await store.delete(type, ref, resourceVersion: resourceVersion)
    }
    nonisolated func updateStatus(_ key: ResourceKey, reporterNamespace: String, status: Status, basis: StatusBasis?) async throws -> StatusUpdate {
        try await store.updateStatus(key, reporterNamespace: reporterNamespace, status: status, basis: basis)
    }
    nonisolated func watch() -> AsyncThrowingStream<ResourceListing, any Error> { store.watch() }
}

extension StatusWriterTests {
    /// VirtualHostOption and RouteOption resources get statuses like every gateway kind, a
    /// rejected one too (from its rejected value's version).
    @Test func optionResourcesGetStatuses() {
        var listing = ResourceListing()
        var option = RouteOption(metadata: Metadata(name: "timeouts", namespace: "gloo-system"), options: RouteOptions(prefixRewrite: "/v2"))
        option.metadata.resourceVersion = "3"
        listing.resources.insert(AnyResource(option))
        let rejectedKey = "gloo/gateway.solo.io/v1/VirtualHostOption/gloo-system/with-extauth"
        listing.rejectedVersions = [rejectedKey: 4]
        var reports = Reports()
        reports.add(Finding(.error, key: rejectedKey, fieldPath: "options.extauth", reason: "not supported"))
        let writes = StatusPlan.writes(listing: listing, reports: reports, reporterNamespace: "gloo-system", rootKey: "gloo", memo: [:])
        #expect(writes.map(\.key.key) == ["gloo/gateway.solo.io/v1/RouteOption/gloo-system/timeouts", rejectedKey])
        #expect(writes.first?.status == Status(state: .accepted, reportedBy: "gateway"))
        #expect(writes.last?.status.state == .rejected && writes.last?.status.reason.contains("options.extauth") == true)
    }
}
