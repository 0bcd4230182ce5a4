import EnvoyAPI
import Testing

@testable import XDS

/// Scoped routes arrive through xdstp glob collections (`.../<collection>/*`): a subscription
/// gets exactly its collection's scopes, never another collection's, in SotW and delta alike.
@Suite struct ScopedRouteSubscriptionTests {
    static let root = "xdstp://gloo-hashi/envoy.config.route.v3.ScopedRouteConfiguration/"

    static func scope(_ collection: String, _ host: String, routes: String) throws -> XDSResource {
        var fragment = Envoy_Config_Route_V3_ScopedRouteConfiguration.Key.Fragment()
        fragment.stringKey = host
        var scope = Envoy_Config_Route_V3_ScopedRouteConfiguration()
        scope.name = root + collection + "/" + host
        scope.routeConfigurationName = routes
        scope.key.fragments = [fragment]
        return try XDSResource(scopedRoute: scope)
    }

    static func snapshot(twoTarget: String = "a") throws -> XDSSnapshot {
        try XDSSnapshot([
            Fixtures.edsCluster("a"), Fixtures.loadAssignment("a"), Fixtures.edsCluster("b"), Fixtures.loadAssignment("b"),
            Fixtures.routeConfiguration("public/one", cluster: "a"), Fixtures.routeConfiguration("public/two", cluster: twoTarget),
            Fixtures.routeConfiguration("internal/one", cluster: "b"),
            scope("public", "one.example.com", routes: "public/one"), scope("public", "two.example.com", routes: "public/two"),
            scope("internal", "one.example.com", routes: "internal/one"),
            // Not in the public collection: a deeper path and a sibling with the same prefix.
            scope("public/nested", "x.example.com", routes: "public/one"), scope("public2", "y.example.com", routes: "public/one"),
        ])
    }

    @Test func patternsMatchOnlyTheirCollection() {
        let pattern = ResourceNamePattern(Self.root + "public/*")
        #expect(pattern.contains(Self.root + "public/one.example.com"))
        #expect(!pattern.contains(Self.root + "public/nested/x.example.com"))
        #expect(!pattern.contains(Self.root + "public2/y.example.com"))
        #expect(!ResourceNamePattern("public/*").contains("public/one"), "only xdstp names are globs")
    }

    @Test func sotwGlobSubscriptionGetsItsCollection() throws {
        var machine = SotWStreamStateMachine()
        _ = machine.update(try Self.snapshot())
        let response = try #require(machine.receive(Fixtures.sotwRequest(.scopedRoute, names: [Self.root + "public/*"])).responses.first)
        #expect(Fixtures.names(response) == [Self.root + "public/one.example.com", Self.root + "public/two.example.com"])
        _ = machine.receive(Fixtures.sotwRequest(.scopedRoute, names: [Self.root + "public/*"], version: response.versionInfo,
                                                 nonce: response.nonce))
        // A change elsewhere (a route configuration) does not resend the scopes.
        #expect(machine.update(try Self.snapshot(twoTarget: "b")).isEmpty)
    }

    @Test func deltaGlobSubscriptionGetsItsCollectionAndRemovals() throws {
        var machine = DeltaStreamStateMachine()
        _ = machine.update(try Self.snapshot())
        let response = try #require(machine.receive(Fixtures.deltaRequest(.scopedRoute, subscribe: [Self.root + "internal/*"])).responses.first)
        #expect(response.resources.map(\.name) == [Self.root + "internal/one.example.com"])
        // The internal scope goes away: delta says so.
        var resources = Array(try Self.snapshot().resources.values.flatMap(\.values))
        resources.removeAll { $0.name == Self.root + "internal/one.example.com" }
        let removal = try #require(machine.update(try XDSSnapshot(resources)).first)
        #expect(removal.removedResources == [Self.root + "internal/one.example.com"])
    }

    @Test func consistencyChecksScopesNameTheirRouteConfiguration() throws {
        var resources = Array(try Self.snapshot().resources.values.flatMap(\.values))
        resources.removeAll { $0.name == "public/two" }
        let dangling = try SnapshotConsistency.danglingReferences(in: try XDSSnapshot(resources))
        #expect(dangling == [DanglingReference(from: .scopedRoute, fromName: Self.root + "public/two.example.com", to: .route,
                                               toName: "public/two")])
    }
}
