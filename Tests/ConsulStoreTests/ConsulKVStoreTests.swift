import ConsulStore
import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Testing

/// The Consul KV client and store against the Consul test server over a real socket.
@Suite struct ConsulKVStoreTests {
    static let upstream = "gloo/gloo.solo.io/v1/Upstream/gloo-system/petstore"

    static func store(_ server: ConsulTestServer, token: String = "", wait: Duration = .seconds(5)) throws -> (ConsulKVStore, ConsulHTTPClient) {
        var configuration = try #require(ConsulClientConfiguration(address: server.address, token: SensitiveString(token)))
        configuration.wait = wait
        let client = try ConsulHTTPClient(configuration)
        return (ConsulKVStore(client: client), client)
    }

    @Test func getListCasPutAndDelete() async throws {
        let server = try await ConsulTestServer.start()
        let (store, client) = try Self.store(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            #expect(try await store.entry(Self.upstream) == nil, "a missing key is nil (Consul's 404)")
            let created = try #require(try await store.write(Self.upstream, value: Array("static: {hosts: []}".utf8), ifVersion: 0))
            #expect(try await store.write(Self.upstream, value: Array("x: 1".utf8), ifVersion: 0) == nil, "cas=0 only creates")
            #expect(try await store.write(Self.upstream, value: Array("x: 1".utf8), ifVersion: created + 100) == nil, "a stale index loses")
            let updated = try #require(try await store.write(Self.upstream, value: Array("static: {hosts: [{addr: 1.2.3.4, port: 80}]}".utf8),
                                                             ifVersion: created))
            #expect(updated > created)
            let listing = try await store.entries(prefix: "gloo/")
            #expect(listing.entries.map(\.key) == [Self.upstream] && listing.entries.first?.version == updated)
            #expect(listing.index >= updated)
            #expect(try await store.remove(Self.upstream, ifVersion: created) == false, "delete with a stale cas fails")
            #expect(try await store.remove(Self.upstream, ifVersion: updated))
            #expect(try await store.entries(prefix: "gloo/").entries.isEmpty)
        }
    }

    @Test func resourcesThroughTheKeyValueLayer() async throws {
        let server = try await ConsulTestServer.start()
        let (store, client) = try Self.store(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.put(Self.upstream, "static: {hosts: [{addr: 10.0.0.1, port: 8080}]}")
            await server.put("gloo/gloo.solo.io/v1/Upstream/gloo-system/broken", "static: {hosts: [{addr: 10.0.0.1, port: nope}]}")
            let upstreams = try await store.list(Upstream.self, namespace: "gloo-system")
            #expect(upstreams.map(\.metadata.name) == ["petstore"], "the broken value is left out")
            let upstream = try #require(upstreams.first)
            #expect(!upstream.metadata.resourceVersion.isEmpty, "the ModifyIndex is the resource version")
        }
    }

    @Test func statusesAreWrittenInTransactionsOfSixtyFour() async throws {
        let server = try await ConsulTestServer.start()
        let (store, client) = try Self.store(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            var changes: [StatusChange] = []
            for index in 0..<100 {
                let key = ResourceKey(kind: .upstream, namespace: "gloo-system", name: "u\(index)")
                await server.put(key.key, "static: {hosts: [{addr: 10.0.0.1, port: 80}]}")
                changes.append(StatusChange(key: key, status: Status(state: .accepted, reportedBy: "gloo"), basis: nil))
            }
            // One value that is not YAML and one that is missing: each fails alone.
            let broken = ResourceKey(kind: .upstream, namespace: "gloo-system", name: "broken")
            await server.put(broken.key, "static: [")
            changes.insert(StatusChange(key: broken, status: Status(state: .rejected, reportedBy: "gloo"), basis: nil), at: 10)
            changes.append(StatusChange(key: ResourceKey(kind: .upstream, namespace: "gloo-system", name: "gone"),
                                        status: Status(state: .accepted, reportedBy: "gloo"), basis: nil))
            await server.clearRequestLog()
            let results = await store.updateStatuses(changes, reporterNamespace: "gloo-system")
            let written = results.filter { if case .success(.written) = $0 { true } else { false } }.count
            #expect(written == 100)
            #expect(results[10].isFailure && results[101].isFailure)
            let requests = await server.requests()
            #expect(requests.count(where: { $0.path == "/v1/txn" }) == 4, "a read and a write per batch (the second batch's read fails on the missing key and goes key by key): \(requests.map(\.path))")
            #expect(await server.value("gloo/gloo.solo.io/v1/Upstream/gloo-system/u42")?.contains("reportedBy: gloo") == true)
            #expect(await server.value(broken.key) == "static: [", "a value that is not YAML is never rewritten")
            // Written already: nothing more to write.
            let again = await store.updateStatuses(Array(changes.prefix(5)), reporterNamespace: "gloo-system")
            #expect(again.allSatisfy { if case .success(.unchanged) = $0 { true } else { false } })
        }
    }

    @Test func valuesOverTheLimitAreRefusedBeforeConsulIsAsked() async throws {
        let server = try await ConsulTestServer.start()
        let (store, client) = try Self.store(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.clearRequestLog()
            await #expect { try await store.write(Self.upstream, value: Array(repeating: 65, count: 512 * 1024 + 1), ifVersion: 0) } throws: {
                "\($0)".contains("512 KiB")
            }
            #expect(await server.requests().isEmpty)
        }
    }

    @Test func tokensAreSentAndWrongOnesRefused() async throws {
        let server = try await ConsulTestServer.start(token: "secret-token")
        let (good, goodClient) = try Self.store(server, token: "secret-token")
        let (bad, badClient) = try Self.store(server, token: "wrong")
        try await withCleanup({ await goodClient.shutdown(); await badClient.shutdown(); await server.stop() }) { () async throws in
            #expect(try await good.entries(prefix: "gloo/").entries.isEmpty)
            await #expect { try await bad.entries(prefix: "gloo/") } throws: { error in
                "\(error)".contains("403") && !"\(error)".contains("wrong")
            }
        }
    }

    @Test func theWatchFollowsChangesResetsOnALowerIndexAndRidesOutFailures() async throws {
        let server = try await ConsulTestServer.start()
        let (store, client) = try Self.store(server, wait: .seconds(2))
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            await server.put(Self.upstream, "static: {hosts: []}")
            var watch = store.watchEntries(prefix: "gloo/").makeAsyncIterator()
            let first = try #require(try await watch.next())
            #expect(first.entries.count == 1)

            await server.put("gloo/gloo.solo.io/v1/Upstream/gloo-system/second", "static: {hosts: []}")
            let second = try #require(try await watch.next())
            #expect(second.entries.map(\.key).contains("gloo/gloo.solo.io/v1/Upstream/gloo-system/second"))
            // The watch sent the index it had: a blocking query, never index 0 after the first.
            let watches = await server.requests().filter { $0.method == "GET" && $0.path.hasPrefix("/v1/kv/gloo") }
            #expect(watches.dropFirst().allSatisfy { $0.query.contains("index=") && !$0.query.contains("index=0") })

            // Two failures are retried with backoff; the next change still arrives.
            await server.failNext(2)
            await server.put("gloo/gloo.solo.io/v1/Upstream/gloo-system/third", "static: {hosts: []}")
            let third = try #require(try await watch.next())
            #expect(third.entries.count == 3)

            // A restore with lower indexes: the watch starts over and reports the data again.
            await server.restart(lowerIndexTo: 1)
            await server.put("gloo/gloo.solo.io/v1/Upstream/gloo-system/fourth", "static: {hosts: []}")
            let fourth = try #require(try await watch.next())
            #expect(fourth.entries.count == 4)
        }
    }

    @Test func aLargeTreeIsWatchedInPartsAndAnEditReadsOnlyItsPart() async throws {
        let server = try await ConsulTestServer.start()
        let (base, client) = try Self.store(server, wait: .seconds(2))
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            var store = base
            // Thresholds scaled down so 60 small keys make a plan of several parts.
            store.wholeWatchBelow = 2_000
            store.watchPartBytes = 1_500
            let service = { (index: Int) in "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-\(index)" }
            for index in 0..<60 { await server.put(service(index), "virtualHost: {domains: [vs-\(index)]}") }
            var watch = store.watchEntries(prefix: "gloo/").makeAsyncIterator()
            let first = try #require(try await watch.next())
            #expect(first.entries.count == 60)
            // Every part's long-poll and the key listing's are waiting before the edit.
            let parts = KVWatchPlan.make(prefix: "gloo/", entries: first.entries, targetBytes: 1_500, maximumParts: 64, wholeBelow: 2_000)
            #expect(parts.parts.count > 1)
            #expect(await server.waitForBlockedQueries(parts.parts.count + 1))
            let before = await server.requests().count

            // A value edit: the answer is the edited key's part, not the tree.
            await server.put(service(42), "virtualHost: {domains: [edited]}")
            let edited = try #require(try await watch.next())
            #expect(edited.entries.count == 60)
            #expect(edited.entries.map(\.key) == first.entries.map(\.key))
            #expect(String(decoding: try #require(edited.entries.first { $0.key == service(42) }).value, as: UTF8.self).contains("edited"))
            // The answered long-polls are asked again (requests are logged as they arrive): then count.
            #expect(await server.waitForBlockedQueries(parts.parts.count + 1))
            let reads = await server.requests().dropFirst(before).filter { $0.method == "GET" }
            #expect(!reads.isEmpty)
            #expect(!reads.contains { $0.path == "/v1/kv/gloo/" && $0.query.contains("recurse") }, "\(reads)")
            #expect(reads.allSatisfy { $0.query.contains("index=") })

            // A key no part reads (a new kind): the plan is made again and the key arrives.
            await server.put("gloo/gloo.solo.io/v1/Upstream/gloo-system/petstore", "static: {hosts: []}")
            var listing = try #require(try await watch.next())
            while !listing.entries.contains(where: { $0.key.hasSuffix("petstore") }) { listing = try #require(try await watch.next()) }
            #expect(listing.entries.count == 61)

            // A delete, a blip of failures, then a restore with lower indexes: each still arrives.
            await server.delete(service(7))
            listing = try #require(try await watch.next())
            #expect(listing.entries.count == 60 && !listing.entries.contains { $0.key == service(7) })
            await server.failNext(2)
            await server.put(service(8), "virtualHost: {domains: [after-failures]}")
            listing = try #require(try await watch.next())
            #expect(String(decoding: try #require(listing.entries.first { $0.key == service(8) }).value, as: UTF8.self).contains("after-failures"))
            await server.restart(lowerIndexTo: 1)
            await server.put(service(9), "virtualHost: {domains: [after-restore]}")
            listing = try #require(try await watch.next())
            while !String(decoding: listing.entries.first { $0.key == service(9) }?.value ?? [], as: UTF8.self).contains("after-restore") {
                listing = try #require(try await watch.next())
            }
            #expect(listing.entries.count == 60)
        }
    }

    /// A part whose query keeps failing ends the watch with Consul's error (its consumer reports it
    /// and starts over), and the other parts' long-polls (here 30 s) are cancelled, not waited out.
    @Test func aFailingPartEndsTheWatchWithTheErrorAndCancelsTheOthers() async throws {
        let server = try await ConsulTestServer.start()
        let (base, client) = try Self.store(server, token: "", wait: .seconds(30))
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            var store = base
            store.wholeWatchBelow = 2_000
            store.watchPartBytes = 1_500
            for index in 0..<60 { await server.put("gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-\(index)", "virtualHost: {}") }
            var watch = store.watchEntries(prefix: "gloo/").makeAsyncIterator()
            let first = try #require(try await watch.next())
            let parts = KVWatchPlan.make(prefix: "gloo/", entries: first.entries, targetBytes: 1_500, maximumParts: 64, wholeBelow: 2_000)
            #expect(await server.waitForBlockedQueries(parts.parts.count + 1))
            await server.failNext(100)
            // The long-polls already waiting answer this change; every query after it fails.
            await server.put("gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-3", "virtualHost: {domains: [x]}")
            await #expect { while try await watch.next() != nil {} } throws: { error in
                "\(error)".contains("500") && "\(error)".contains("/v1/kv/gloo/")
            }
        }
    }

    @Test func addressesParseLikeConsulsTools() {
        #expect(ConsulClientConfiguration(address: "127.0.0.1:8500")?.baseURL == "http://127.0.0.1:8500")
        #expect(ConsulClientConfiguration(address: "consul.service:8501", ssl: true)?.baseURL == "https://consul.service:8501")
        #expect(ConsulClientConfiguration(address: "https://consul:8501/")?.baseURL == "https://consul:8501")
        #expect(ConsulClientConfiguration(address: "") == nil)
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}
