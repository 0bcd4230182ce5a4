import ConsulStore
import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Logging
import Testing

/// Sessions, locks and the leader election against the Consul test server.
@Suite struct ConsulLeaderElectionTests {
    /// A client whose blocking queries wait `wait` (long enough that no answer times out while time stands still).
    static func client(_ server: ConsulTestServer, wait: Duration = .seconds(5)) throws -> ConsulHTTPClient {
        var configuration = try #require(ConsulClientConfiguration(address: server.address))
        configuration.wait = wait
        return try ConsulHTTPClient(configuration)
    }

    @Test func locksFollowSessionsAndTheLockDelay() async throws {
        let clock = ManualClock()
        let server = try await ConsulTestServer.start(sessionClock: clock)
        let client = try Self.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let sessions = ConsulSession(client: client)
            let kv = ConsulKV(client: client)
            await #expect { try await sessions.create(.init(name: "short", ttl: .seconds(5))) } throws: {
                "\($0)".contains("400")
            }
            let first = try await sessions.create(.init(name: "first", ttl: .seconds(15), behavior: .delete, lockDelay: .seconds(1)))
            let second = try await sessions.create(.init(name: "second", ttl: .seconds(15), behavior: .delete, lockDelay: .seconds(1)))
            #expect(try await sessions.info(first)?.name == "first")
            #expect(try await kv.acquire("gloo/.control/leader", session: first, value: Array("a".utf8)))
            #expect(try await kv.acquire("gloo/.control/leader", session: second, value: Array("b".utf8)) == false, "held by another session")
            #expect(try await kv.get("gloo/.control/leader").0?.session == first)
            #expect(try await sessions.renew(first))
            // Destroying the holder deletes the key (behavior delete) and starts the lock delay.
            try await sessions.destroy(first)
            #expect(try await kv.get("gloo/.control/leader").0 == nil)
            #expect(try await sessions.renew(first) == false, "a destroyed session is unknown")
            #expect(try await kv.acquire("gloo/.control/leader", session: second, value: Array("b".utf8)) == false, "the lock delay runs")
            clock.advance(by: .milliseconds(999))
            #expect(try await kv.acquire("gloo/.control/leader", session: second, value: Array("b".utf8)) == false, "still within it")
            clock.advance(by: .milliseconds(1))
            #expect(try await kv.acquire("gloo/.control/leader", session: second, value: Array("b".utf8)))
            // A release frees the key at once, with no lock delay.
            #expect(try await kv.release("gloo/.control/leader", session: second))
            let third = try await sessions.create(.init(name: "third", ttl: .seconds(15)))
            #expect(try await kv.acquire("gloo/.control/leader", session: third, value: Array("c".utf8)))
            await #expect { try await kv.acquire("gloo/.control/leader", session: "no-such-session", value: []) } throws: {
                "\($0)".contains("500")
            }
        }
    }

    @Test func oneLeaderAndATakeoverWhenItsSessionIsLost() async throws {
        // One manual clock for the elections (renewals, lock-delay waits, backoff) and the
        // server's sessions (TTLs, lock delays): nothing retries unless the test moves time.
        let clock = ManualClock()
        let server = try await ConsulTestServer.start(sessionClock: clock)
        let client = try Self.client(server, wait: .seconds(300))
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let logger = Logger(label: "test")
            let a = ConsulLeaderElection(client: client, identity: "a", ttl: .seconds(10), lockDelay: .milliseconds(200), logger: logger,
                                         clock: clock)
            let b = ConsulLeaderElection(client: client, identity: "b", ttl: .seconds(10), lockDelay: .milliseconds(200), logger: logger,
                                         clock: clock)
            let roles = Roles()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for await state in a.leadership() { await roles.set("a", state) } }
                group.addTask { for await state in b.leadership() { await roles.set("b", state) } }
                #expect(await eventually { await roles.leaders().count == 1 })
                let leader = try #require(await roles.leaders().first)
                let follower = leader == "a" ? "b" : "a"
                #expect(await server.value("gloo/.control/leader") == leader, "the lock names the leader")
                // The leader's session is invalidated (as a TTL expiry would): it stops leading and
                // backs off; the other waits out the lock delay and takes over.
                let sessions = ConsulSession(client: client)
                let held = try #require(try await ConsulKV(client: client).get("gloo/.control/leader").0?.session)
                try await sessions.destroy(held)
                #expect(await eventually { await roles.leaders().isEmpty })
                #expect(await eventually { clock.pendingDelays.contains(.milliseconds(200)) }, "the follower waits out the lock delay")
                #expect(try await ConsulKV(client: client).acquire("gloo/.control/leader", session: try await sessions.create(.init(name: "probe", ttl: .seconds(10))), value: []) == false,
                        "nobody can take the lock within the delay")
                clock.advance(by: .milliseconds(200))
                #expect(await eventually { await roles.leaders() == [follower] })
                #expect(await server.value("gloo/.control/leader") == follower)
                // The old leader's backoff (at most 1.25 s) runs out: a new session, parked on the lock.
                clock.advance(by: .milliseconds(1_250))
                #expect(await server.waitForBlockedQueries(2), "both elections watch the lock key")
                // Resigning releases the lock at once: the first one leads again, without a lock delay.
                await (follower == "a" ? a : b).resign()
                #expect(await eventually { await roles.leaders() == [leader] })
                #expect(await server.value("gloo/.control/leader") == leader)
                group.cancelAll()
            }
        }
    }
}

/// Who leads, as the elections report it.
actor Roles {
    private var states: [String: LeadershipState] = [:]

    func set(_ name: String, _ state: LeadershipState) { states[name] = state }

    func leaders() -> [String] { states.filter { $0.value == .leader }.map(\.key).sorted() }
}
