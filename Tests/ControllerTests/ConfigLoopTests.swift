import GlooAPI
import HashiTestServers
import Logging
import Testing
import XDS

@testable import Controller

@Suite struct ConfigLoopTests {
    static let upstream = "static: {hosts: [{addr: 10.0.0.1, port: 80}]}"
    static let gateway = "bindPort: 8080\nhttpGateway: {}"
    static let service = "virtualHost: {domains: ['*'], routes: [{matchers: [{prefix: /}], routeAction: {single: {upstream: {name: a}}}}]}"

    @Test func publishesAfterTheFirstSyncAndOnlyOnRealChanges() async throws {
        let store = InMemoryStore()
        await store.store("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", Self.upstream)
        await store.store("gloo/gateway.solo.io/v1/Gateway/gloo-system/gw", Self.gateway)
        await store.store("gloo/gateway.solo.io/v1/VirtualService/gloo-system/default", Self.service)
        let cache = SnapshotCache()
        let state = ControllerState()
        let loop = ConfigLoop(store: store, cache: cache, state: state, quiet: .milliseconds(5),
                              maximumDelay: .milliseconds(50), logger: Logger(label: "test"))
        var updates = await cache.updates(group: "gloo-system~gateway-proxy").makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            let first = try #require(await updates.next())
            #expect(first.counts[.cluster] == 1 && first.counts[.listener] == 1)
            #expect(await eventually { await state.ready })

            // Rewriting the same content (a new store version) publishes nothing new.
            await store.store("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", Self.upstream)
            // A bad value is reported; the rest keeps serving.
            await store.store("gloo/gloo.solo.io/v1/Upstream/gloo-system/bad", "static: {hosts: [{addr: x, port: nope}]}")
            // A real change: a second upstream.
            await store.store("gloo/gloo.solo.io/v1/Upstream/gloo-system/b", Self.upstream)
            let second = try #require(await updates.next())
            #expect(second.counts[.cluster] == 2)
            #expect(await eventually {
                await state.lastReports.byKey["gloo/gloo.solo.io/v1/Upstream/gloo-system/bad"]?.state == .rejected
            })
            group.cancelAll()
        }
    }
}
