import Foundation
import HashiTestServers
import Testing

@testable import GlooAPI

/// The ResourceStore behaviour every KV backend shares, run against the directory and memory stores.
@Suite struct KeyValueStoreTests {
    static let ref = ResourceRef(name: "petstore", namespace: "gloo-system")

    static func upstream(port: UInt32) -> Upstream {
        Upstream(metadata: Metadata(name: "petstore", namespace: "gloo-system"),
                 upstreamType: .static(StaticUpstream(hosts: [StaticHost(addr: "10.0.0.1", port: port)])))
    }

    func exerciseCAS(_ store: some KeyValueBackend) async throws {
        let created = try await store.put(Self.upstream(port: 80))
        #expect(!created.metadata.resourceVersion.isEmpty)
        await #expect(throws: StoreError.self, "create-only put of an existing key conflicts") {
            _ = try await store.put(Self.upstream(port: 81))
        }
        var update = created
        update.upstreamType = .static(StaticUpstream(hosts: [StaticHost(addr: "10.0.0.1", port: 82)]))
        let updated = try await store.put(update)
        #expect(updated.metadata.resourceVersion != created.metadata.resourceVersion)
        await #expect(throws: StoreError.self, "a stale version conflicts") { _ = try await store.put(update) }
        let read = try #require(try await store.get(Upstream.self, Self.ref))
        #expect(read == updated)
        #expect(try await store.list(Upstream.self, namespace: "gloo-system").map(\.ref) == [Self.ref])
        #expect(try await store.list(Upstream.self, namespace: "gloo").isEmpty, "namespace listing uses a trailing slash")
        await #expect(throws: StoreError.self) {
            try await store.delete(Upstream.self, Self.ref, resourceVersion: created.metadata.resourceVersion)
        }
        try await store.delete(Upstream.self, Self.ref, resourceVersion: updated.metadata.resourceVersion)
        #expect(try await store.get(Upstream.self, Self.ref) == nil)
    }

    func exerciseStatus(_ store: some KeyValueBackend) async throws {
        let key = ResourceKey(kind: .virtualService, namespace: "gloo-system", name: "broken")
        // A rejected value (unknown field) still gets its status, and keeps every byte of meaning.
        let original = "# comment\nvirtualHost: {domains: [a], routes: []}\nbogus: 1\n"
        _ = try await store.write(key.key, value: Array(original.utf8), ifVersion: 0)
        let status = Status(state: .rejected, reason: "unknown field 'bogus'", reportedBy: "gateway")
        let written = try await store.updateStatus(key, reporterNamespace: "gloo-system", status: status, basis: nil)
        guard case .written(let version) = written else { Issue.record("not written: \(written)"); return }
        #expect(try await store.updateStatus(key, reporterNamespace: "gloo-system", status: status, basis: nil) == .unchanged(version: version),
                "an unchanged status is not written again")
        let stored = try #require(try await store.entry(key.key))
        #expect(stored.version == version)
        let tree = try ResourceCodec.parse(stored.value).get()
        #expect(tree["bogus"] == .number("1"))
        #expect(tree["virtualHost"]?["domains"] == .list([.string("a")]))
        #expect(tree["namespacedStatuses"]?["statuses"]?["gloo-system"]?["state"] == .string("Rejected"))
        #expect(tree.entries?.map(\.key) == ["virtualHost", "bogus", "namespacedStatuses"], "the user's key order is kept")
    }

    /// A status computed for one version: written over another reporter's status write, never over a user's edit.
    func exerciseStatusBasis(_ store: some KeyValueBackend) async throws {
        let key = ResourceKey(kind: .virtualService, namespace: "gloo-system", name: "basis")
        let original = "virtualHost:\n  domains: [a]\nmetadata:\n  labels: {team: a}\n"
        let first = try #require(try await store.write(key.key, value: Array(original.utf8), ifVersion: 0))
        let decoded = try #require(ResourceCodec.decodeAny(from: Array(original.utf8), key: key, resourceVersion: String(first)).resource)
        let basis = StatusBasis(version: first, resource: decoded)
        // Another controller (namespace other) writes its status first: ours still goes in.
        let other = Status(state: .accepted, reportedBy: "gateway")
        guard case .written = try await store.updateStatus(key, reporterNamespace: "other", status: other, basis: basis) else {
            Issue.record("the first write-back failed"); return
        }
        let ours = Status(state: .warning, reason: "no gateway selects it", reportedBy: "gateway")
        guard case .written = try await store.updateStatus(key, reporterNamespace: "gloo-system", status: ours, basis: basis) else {
            Issue.record("a status write on a status-only newer version was refused"); return
        }
        let tree = try ResourceCodec.parse(try #require(try await store.entry(key.key)).value).get()
        #expect(tree["namespacedStatuses"]?["statuses"]?["other"]?["state"] == .string("Accepted"))
        #expect(tree["namespacedStatuses"]?["statuses"]?["gloo-system"]?["state"] == .string("Warning"))
        #expect(tree["metadata"]?["labels"]?["team"] == .string("a"))
        // The user edits the configuration: a status computed for the old one is not written.
        let current = try #require(try await store.entry(key.key))
        _ = try #require(try await store.write(key.key, value: Array("virtualHost: {domains: [b]}\n".utf8), ifVersion: current.version))
        let stale = Status(state: .accepted, reportedBy: "gateway")
        #expect(try await store.updateStatus(key, reporterNamespace: "gloo-system", status: stale, basis: basis) == .superseded)
        let edited = try ResourceCodec.parse(try #require(try await store.entry(key.key)).value).get()
        #expect(edited["namespacedStatuses"] == nil, "the user's edit wins")
        #expect(edited["virtualHost"]?["domains"] == .list([.string("b")]))
    }

    func exerciseWatch(_ store: some KeyValueBackend) async throws {
        var iterator = store.watch().makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(first.resources.upstreams.isEmpty)
        _ = try await store.put(Self.upstream(port: 80))
        let added = try #require(try await iterator.next())
        #expect(added.resources.upstreams.map(\.ref) == [Self.ref])
        let bad = ResourceKey(kind: .upstream, namespace: "gloo-system", name: "bad")
        _ = try await store.write(bad.key, value: Array("static: {hosts: [{port: x}]}".utf8), ifVersion: 0)
        let withBad = try #require(try await iterator.next())
        #expect(withBad.resources.upstreams.map(\.ref) == [Self.ref])
        #expect(withBad.findings.map(\.key) == [bad.key])
        try await store.delete(Upstream.self, Self.ref, resourceVersion: nil)
        let removed = try #require(try await iterator.next())
        #expect(removed.resources.upstreams.isEmpty)
    }

    @Test func inMemoryStore() async throws {
        try await exerciseCAS(InMemoryStore())
        try await exerciseStatus(InMemoryStore())
        try await exerciseStatusBasis(InMemoryStore())
        try await exerciseWatch(InMemoryStore())
    }

    @Test func directoryStore() async throws {
        for exercise in 0..<4 {
            let fixture = try KVTreeFixture()
            defer { fixture.remove() }
            let store = DirectoryStore(directory: fixture.directory, pollInterval: .milliseconds(20))
            switch exercise {
            case 0: try await exerciseCAS(store)
            case 1: try await exerciseStatus(store)
            case 2: try await exerciseStatusBasis(store)
            default: try await exerciseWatch(store)
            }
        }
    }

    @Test func directoryWritesAreAtomicFilesWithTheKeyLayout() async throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        let store = DirectoryStore(directory: fixture.directory)
        _ = try await store.put(Self.upstream(port: 80))
        let folder = fixture.directory + "/gloo/gloo.solo.io/v1/Upstream/gloo-system"
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["petstore.yaml"], "no temporary files left")
        let text = try String(contentsOfFile: folder + "/petstore.yaml", encoding: .utf8)
        #expect(text.contains("addr: 10.0.0.1"))
    }

    @Test func directoryWatchSeesEditsByOtherWriters() async throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        try fixture.write("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", "static: {hosts: [{addr: 1.1.1.1, port: 80}]}")
        let store = DirectoryStore(directory: fixture.directory, pollInterval: .milliseconds(20))
        var iterator = store.watch().makeAsyncIterator()
        #expect(try await iterator.next()?.resources.upstreams.count == 1)
        try fixture.write("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", "static: {hosts: [{addr: 1.1.1.1, port: 8081}]}")
        let edited = try #require(try await iterator.next())
        guard case .static(let hosts) = edited.resources.upstreams.first?.upstreamType else {
            Issue.record("expected static"); return
        }
        #expect(hosts.hosts.first?.port == 8081)
        try fixture.write("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", "static: {hosts: []}", ext: "json")
        let duplicate = try #require(try await iterator.next())
        #expect(duplicate.resources.upstreams.isEmpty)
        #expect(duplicate.findings.first?.reason.contains("defined twice") == true)
        try fixture.delete("gloo/gloo.solo.io/v1/Upstream/gloo-system/a")
        try fixture.delete("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", ext: "json")
        let empty = try #require(try await iterator.next())
        #expect(empty.resources.upstreams.isEmpty && empty.findings.isEmpty)
    }

    @Test func directoryScanSkipsHiddenFilesWarnsOnOthersAndFollowsOnlyFileLinks() async throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        let upstream = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
        try fixture.write("\(upstream)/a", "static: {hosts: [{addr: 1.1.1.1, port: 80}]}")
        let root = URL(fileURLWithPath: fixture.directory)
        let folder = root.appendingPathComponent(upstream)
        try Data("static: {hosts: []}".utf8).write(to: folder.appendingPathComponent(".b.yaml"))
        try Data("notes".utf8).write(to: folder.appendingPathComponent("README.txt"))
        // A linked file is a resource; a linked directory is not walked (no cycles, no doubles).
        let elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try Data("static: {hosts: [{addr: 2.2.2.2, port: 80}]}".utf8).write(to: elsewhere.appendingPathComponent("c.yaml"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("c.yaml"),
                                                   withDestinationURL: elsewhere.appendingPathComponent("c.yaml"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("loop"), withDestinationURL: root)
        var iterator = DirectoryStore(directory: fixture.directory).watch().makeAsyncIterator()
        let listing = try #require(try await iterator.next())
        #expect(listing.resources.upstreams.map { $0.metadata.name }.sorted() == ["a", "c"])
        #expect(listing.findings.map { $0.key } == ["\(upstream)/README.txt"])
    }

    @Test func rescansAfterRewritesListWhatAFreshScanLists() async throws {
        let fixture = try KVTreeFixture()
        defer { fixture.remove() }
        let folder = "gloo/gloo.solo.io/v1/Upstream/gloo-system"
        for index in 0..<6 { try fixture.write("\(folder)/u\(index)", "static: {hosts: [{addr: 1.1.1.1, port: \(80 + index)}]}") }
        try Data("notes".utf8).write(to: URL(fileURLWithPath: fixture.directory + "/\(folder)/README.txt"))
        let store = DirectoryStore(directory: fixture.directory)
        func expectFresh(_ note: Comment) async throws {
            let fresh = try await DirectoryStore(directory: fixture.directory).entries(prefix: "gloo/")
            #expect(try await store.entries(prefix: "gloo/") == fresh, note)
        }
        try await expectFresh("first scan")
        // Rewritten in place and by rename (new inode): the listing is patched.
        try fixture.write("\(folder)/u2", "static: {hosts: [{addr: 2.2.2.2, port: 80}]}")
        try Data("static: {hosts: [{addr: 3.3.3.3, port: 80}]}".utf8).write(
            to: URL(fileURLWithPath: fixture.directory + "/\(folder)/u4.yaml"), options: .atomic)
        try await expectFresh("two files rewritten")
        // A file that is not a resource changes; a file is added; one removed.
        try Data("other notes".utf8).write(to: URL(fileURLWithPath: fixture.directory + "/\(folder)/README.txt"))
        try await expectFresh("a non-resource file rewritten")
        try fixture.write("\(folder)/u9", "static: {hosts: []}")
        try await expectFresh("a file added")
        try fixture.delete("\(folder)/u0")
        try fixture.write("\(folder)/u1", "static: {hosts: [{addr: 4.4.4.4, port: 80}]}")
        try await expectFresh("a file removed and another rewritten")
    }
}
