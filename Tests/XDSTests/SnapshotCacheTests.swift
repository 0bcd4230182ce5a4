import Testing

@testable import XDS

@Suite struct SnapshotCacheTests {
    @Test func refusesDanglingReferencesAndKeepsTheLastGoodSnapshot() async throws {
        let cache = SnapshotCache()
        let good = try Fixtures.snapshot(clusters: ["a"])
        try await cache.publish(group: "gloo-system~gateway-proxy", snapshot: good)
        // A listener whose route configuration is missing, and an EDS cluster without endpoints.
        let bad = try XDSSnapshot([
            try Fixtures.edsCluster("b"), try Fixtures.listener("http", routeConfig: "missing"),
        ])
        let error = await #expect(throws: SnapshotError.self) {
            try await cache.publish(group: "gloo-system~gateway-proxy", snapshot: bad)
        }
        #expect(error?.description == "CDS 'b' references EDS 'b', which the snapshot lacks; "
            + "LDS 'http' references RDS 'missing', which the snapshot lacks")
        #expect(await cache.snapshot(group: "gloo-system~gateway-proxy") == good)
    }

    @Test func referencesAreRecheckedWhenOnlyTheirTargetsChange() throws {
        var memo = SnapshotConsistency.ReferenceMemo()
        let good = try Fixtures.snapshot(clusters: ["a", "b"])
        #expect(try SnapshotConsistency.danglingReferences(in: good, memo: &memo).isEmpty)
        // Clusters and listeners unchanged; an endpoint and the route configuration are gone.
        let resources = good.resources.values.flatMap(\.values).filter { !($0.typeURL == .endpoint && $0.name == "b") && $0.typeURL != .route }
        let dangling = try SnapshotConsistency.danglingReferences(in: try XDSSnapshot(resources), memo: &memo)
        #expect(dangling.map(\.description) == [
            "CDS 'b' references EDS 'b', which the snapshot lacks", "LDS 'http' references RDS 'http-routes', which the snapshot lacks",
        ])
        #expect(try SnapshotConsistency.danglingReferences(in: good, memo: &memo).isEmpty, "and cleared when they return")
    }

    @Test func duplicateNamesAreRefused() throws {
        #expect(throws: SnapshotError.duplicate(type: .cluster, name: "a")) {
            try XDSSnapshot([try Fixtures.edsCluster("a"), try Fixtures.edsCluster("a")])
        }
    }

    @Test func versionsAreContentHashes() throws {
        let first = try Fixtures.snapshot(clusters: ["a", "b"])
        let same = try Fixtures.snapshot(clusters: ["a", "b"])
        let other = try Fixtures.snapshot(clusters: ["a", "b"], port: 9090)
        #expect(first.versions == same.versions)
        #expect(first.versions[.endpoint] != other.versions[.endpoint])
        #expect(first.versions[.cluster] == other.versions[.cluster])
    }

    @Test func watchersGetTheCurrentSnapshotThenUpdates() async throws {
        let cache = SnapshotCache()
        var updates = await cache.updates(group: "g").makeAsyncIterator()
        let first = try Fixtures.snapshot(clusters: ["a"])
        try await cache.publish(group: "g", snapshot: first)
        #expect(await updates.next() == first)
        let second = try Fixtures.snapshot(clusters: ["a", "b"])
        try await cache.publish(group: "g", snapshot: second)
        #expect(await updates.next() == second)
        #expect(await cache.snapshot(group: "other") == nil, "other groups wait")
    }

    @Test func snapshotsBuiltFromTablesEqualSnapshotsBuiltFromResources() throws {
        let fresh = try Fixtures.snapshot(clusters: ["a", "b", "c"])
        var tables: [TypeURL: XDSSnapshot.TypeTable] = [:]
        for type in TypeURL.allCases { tables[type] = try XDSSnapshot.TypeTable(type, Array(fresh.resources(of: type).values)) }
        #expect(XDSSnapshot(tables: tables) == fresh)
        // A table reused whole from a previous snapshot.
        let next = try Fixtures.snapshot(clusters: ["a", "b", "c"], port: 9090)
        tables[.endpoint] = try XDSSnapshot.TypeTable(.endpoint, Array(next.resources(of: .endpoint).values))
        tables[.cluster] = fresh.table(of: .cluster)
        #expect(XDSSnapshot(tables: tables) == next)
        #expect(throws: SnapshotError.duplicate(type: .cluster, name: "a")) {
            try XDSSnapshot.TypeTable(.cluster, [try Fixtures.edsCluster("a"), try Fixtures.edsCluster("a")])
        }
    }
}
