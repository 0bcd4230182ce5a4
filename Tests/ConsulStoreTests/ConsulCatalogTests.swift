import ConsulStore
import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Testing

/// Catalog, health, txn, status and faults against the Consul test server.
@Suite struct ConsulCatalogTests {
    @Test func catalogAndHealthWithBlockingQueries() async throws {
        let server = try await ConsulTestServer.start()
        let client = try ConsulLeaderElectionTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.registerService("web", id: "web-1", node: "n1", address: "10.0.0.1", port: 8080, tags: ["v1"])
            await server.registerService("web", id: "web-2", node: "n2", address: "10.0.0.2", port: 8080, tags: ["v2"])
            await server.registerService("db", id: "db-1", node: "n3", address: "10.0.0.3", port: 5432, datacenter: "dc2")
            let catalog = ConsulCatalog(client: client)
            let health = ConsulHealth(client: client)
            #expect(try await catalog.datacenters() == ["dc1", "dc2"])
            let (services, servicesMeta) = try await catalog.services()
            #expect(services == ["web": ["v1", "v2"]])
            #expect(try await catalog.services(datacenter: "dc2").0 == ["db": []])
            let (instances, _) = try await catalog.service("web")
            #expect(instances.map(\.serviceID) == ["web-1", "web-2"] && instances.first?.serviceAddress == "10.0.0.1")
            let (entries, meta) = try await health.service("web", passingOnly: true)
            #expect(entries.map(\.service.id) == ["web-1", "web-2"])

            // A blocking health query returns when an instance turns critical; ?passing drops it.
            async let changed = health.service("web", passingOnly: true, index: meta.index)
            #expect(await server.waitForBlockedQueries(1), "the query blocks until the change")
            await server.setServiceCheck(node: "n2", id: "web-2", status: "critical")
            let (after, afterMeta) = try await changed
            #expect(after.map(\.service.id) == ["web-1"])
            #expect(afterMeta.index > meta.index)
            let all = try await health.service("web").0
            #expect(all.first { $0.service.id == "web-2" }?.aggregateStatus == .critical)
            #expect(try await health.state("critical").map(\.serviceID) == ["web-2"])
            // A health change is not a change of the service list.
            #expect(try await catalog.services().1.index == servicesMeta.index)

            // Maintenance mode is a critical check with Consul's reserved ID.
            let register = #"{"node": "n1", "check": {"checkID": "_node_maintenance", "status": "critical"}}"#
            let answer = try await client.send(.PUT, "/v1/catalog/register", body: Array(register.utf8))
            #expect(answer.status == 200, "lower-case field names register too")
            let maintained = try await health.service("web").0.first { $0.service.id == "web-1" }
            #expect(maintained?.inMaintenance == true)
        }
    }

    @Test func transactionsApplyAllOrNothing() async throws {
        let server = try await ConsulTestServer.start()
        let client = try ConsulLeaderElectionTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let txn = ConsulTxn(client: client)
            let written = try await txn.apply([.set(key: "gloo/a", value: Array("1".utf8)), .cas(key: "gloo/b", value: Array("2".utf8), index: 0)])
            #expect(written.map(\.key) == ["gloo/a", "gloo/b"])
            let index = try #require(written.first?.modifyIndex)
            await #expect { try await txn.apply([.set(key: "gloo/c", value: []), .checkIndex(key: "gloo/a", index: index + 100)]) } throws: {
                ($0 as? ConsulTxn.Failure)?.errors.first?.index == 1
            }
            #expect(await server.value("gloo/c") == nil, "a rolled-back transaction wrote nothing")
            let read = try await txn.apply([.get(key: "gloo/a"), .deleteCAS(key: "gloo/b", index: written[1].modifyIndex)])
            #expect(read.map(\.value) == [Array("1".utf8)])
            #expect(await server.value("gloo/b") == nil)
            await #expect(throws: ConsulError.self) {
                try await txn.apply((0..<65).map { .get(key: "k\($0)") })
            }
        }
    }

    @Test func statusAndDroppedConnections() async throws {
        let server = try await ConsulTestServer.start()
        let client = try ConsulLeaderElectionTests.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            #expect(try await ConsulStatus(client: client).leader() == "127.0.0.1:8300")
            await server.put("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", "static: {hosts: [{addr: 10.0.0.1, port: 80}]}")
            await server.dropNext(1)
            await #expect { try await ConsulKV(client: client).get("gloo/gloo.solo.io/v1/Upstream/gloo-system/a") } throws: { error in
                // The connection's own error is kept, not only its description.
                guard case .unreachable(_, let cause) = error as? ConsulError else { return false }
                return "\(error)".contains("unreachable") && cause.error != nil
            }
            // The watch rides over a dropped answer (a quick retry) and delivers the listing.
            let store = ConsulKVStore(client: client)
            await server.dropNext(1)
            var iterator = store.watch().makeAsyncIterator()
            #expect(try await iterator.next()?.resources.upstreams.map(\.metadata.name) == ["a"])
        }
    }
}
