import ConsulStore
import GlooAPI
import Testing

@testable import Controller

/// The split deployment's writer: only differences are written, users' Upstreams are never touched.
@Suite struct DiscoveryWriterTests {
    static func discovered(_ service: String, tags: [String] = []) -> Upstream {
        DiscoveredUpstreams.upstreams(catalog: ["": [service: tags]], options: ConsulDiscoveryOptions())[0]
    }

    @Test func writesOnlyDifferencesAndLeavesUsersUpstreamsAlone() async throws {
        let store = InMemoryStore()
        // A user's Upstream named like a service: never overwritten nor deleted.
        _ = await store.store("gloo/gloo.solo.io/v1/Upstream/gloo-system/db", "static: {hosts: [{addr: 10.0.0.1, port: 5432}]}")
        let first = try await DiscoveryWriter.reconcile([Self.discovered("web"), Self.discovered("db"), Self.discovered("api")],
                                                        store: store, namespace: "gloo-system")
        #expect(first == .init(created: 2, updated: 0, deleted: 0, unchanged: 0))
        let web = try #require(try await store.get(Upstream.self, ResourceRef(name: "web", namespace: "gloo-system")))
        #expect(web.metadata.labels["discovered_by"] == "consulplugin")
        let db = try #require(try await store.get(Upstream.self, ResourceRef(name: "db", namespace: "gloo-system")))
        guard case .static = db.upstreamType else { Issue.record("the user's Upstream was replaced"); return }

        // The same catalog again: nothing is written (the stored values read back equal).
        let again = try await DiscoveryWriter.reconcile([Self.discovered("web"), Self.discovered("api")], store: store,
                                                        namespace: "gloo-system")
        #expect(again == .init(unchanged: 2))
        #expect(try await store.get(Upstream.self, web.metadata.ref)?.metadata.resourceVersion == web.metadata.resourceVersion)

        // A tag changes on web, api is deregistered.
        let changed = try await DiscoveryWriter.reconcile([Self.discovered("web", tags: ["v2"])], store: store, namespace: "gloo-system")
        #expect(changed == .init(created: 0, updated: 1, deleted: 1, unchanged: 0))
        #expect(try await store.get(Upstream.self, ResourceRef(name: "api", namespace: "gloo-system")) == nil)
        #expect(try await store.get(Upstream.self, db.metadata.ref) != nil)
    }
}
