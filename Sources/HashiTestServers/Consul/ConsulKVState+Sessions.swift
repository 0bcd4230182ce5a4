import Foundation
import HashiHTTP

/// A session in the Consul test server (`/v1/session`).
struct TestSession: Sendable {
    var id: String
    var name: String
    var node: String
    var ttl: Duration?
    var behavior: String
    var lockDelay: Duration
    var createIndex: UInt64
    /// When the TTL runs out without a renewal (nil: no TTL).
    var expires: Timeline.Instant?

    var json: String {
        let ttlText = ttl.map { "\($0.components.seconds)s" } ?? ""
        return #"{"ID":"\#(id)","Name":"\#(name)","Node":"\#(node)","LockDelay":\#(lockDelay.components.seconds * 1_000_000_000),"#
            + #""Behavior":"\#(behavior)","TTL":"\#(ttlText)","NodeChecks":["serfHealth"],"ServiceChecks":null,"#
            + #""CreateIndex":\#(createIndex),"ModifyIndex":\#(createIndex)}"#
    }
}

/// Sessions and locks, as Consul keeps them: a TTL between 10 s and 24 h (invalidated here as
/// soon as it runs out, which is within Consul's "up to twice the TTL"), behavior `release` or
/// `delete` for the keys a session holds, and a lock delay during which a lost lock cannot be taken.
extension ConsulKVState {
    enum SessionError: Error, CustomStringConvertible {
        case invalid(String)
        var description: String { switch self { case .invalid(let message): message } }
    }

    func createSession(name: String, ttl: Duration?, behavior: String, lockDelay: Duration?, node: String) throws(SessionError) -> String {
        if let ttl, ttl < .seconds(10) || ttl > .seconds(86_400) {
            throw .invalid("Invalid Session TTL '\(ttl.components.seconds)s', must be between [10s=24h0m0s]")
        }
        guard behavior == "release" || behavior == "delete" else { throw .invalid("Invalid Behavior setting '\(behavior)'") }
        raftIndex += 1
        let id = UUID().uuidString.lowercased()
        sessions[id] = TestSession(id: id, name: name, node: node, ttl: ttl, behavior: behavior, lockDelay: lockDelay ?? .seconds(15),
                                   createIndex: raftIndex, expires: ttl.map { sessionTimeline.now + $0 })
        changed()
        return id
    }

    /// Renews the TTL; nil when the session is unknown (expired or destroyed).
    func renewSession(_ id: String) -> TestSession? {
        expireSessions()
        guard var session = sessions[id] else { return nil }
        session.expires = session.ttl.map { sessionTimeline.now + $0 }
        sessions[id] = session
        return session
    }

    func session(_ id: String) -> TestSession? {
        expireSessions()
        return sessions[id]
    }

    func allSessions() -> [TestSession] {
        expireSessions()
        return sessions.values.sorted { $0.createIndex < $1.createIndex }
    }

    /// Destroys a session; its keys are released or deleted, with the lock delay.
    func destroySession(_ id: String) {
        invalidate(id)
    }

    /// Invalidates every session whose TTL ran out.
    func expireSessions() {
        let now = sessionTimeline.now
        for (id, session) in sessions {
            if let expires = session.expires, expires <= now { invalidate(id) }
        }
    }

    private func invalidate(_ id: String) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        raftIndex += 1
        for (key, pair) in pairs where pair.session == id {
            if session.lockDelay > .zero { lockDelays[key] = sessionTimeline.now + session.lockDelay }
            if session.behavior == "delete" {
                pairs[key] = nil
                tombstones[key] = raftIndex
            } else {
                var released = pair
                released.session = nil
                released.modifyIndex = raftIndex
                pairs[key] = released
            }
        }
        changed()
    }

    /// `PUT /v1/kv/<key>?acquire=<session>`: false when another session holds the key or its lock delay runs.
    func acquire(_ key: String, session id: String, value: [UInt8], flags: UInt64) throws(SessionError) -> Bool {
        expireSessions()
        guard sessions[id] != nil else { throw .invalid("invalid session \"\(id)\"") }
        if let holder = pairs[key]?.session { guard holder == id else { return false } }
        if let until = lockDelays[key], sessionTimeline.now < until { return false }
        lockDelays[key] = nil
        raftIndex += 1
        let existing = pairs[key]
        let alreadyHeld = existing?.session == id
        pairs[key] = Pair(key: key, value: value, createIndex: existing?.createIndex ?? raftIndex, modifyIndex: raftIndex, flags: flags,
                          lockIndex: (existing?.lockIndex ?? 0) + (alreadyHeld ? 0 : 1), session: id)
        tombstones[key] = nil
        changed()
        return true
    }

    /// `PUT /v1/kv/<key>?release=<session>`: false when the session does not hold the key.
    func release(_ key: String, session id: String, value: [UInt8], flags: UInt64) throws(SessionError) -> Bool {
        expireSessions()
        guard sessions[id] != nil else { throw .invalid("invalid session \"\(id)\"") }
        guard var pair = pairs[key], pair.session == id else { return false }
        raftIndex += 1
        pair.session = nil
        pair.value = value
        pair.flags = flags
        pair.modifyIndex = raftIndex
        pairs[key] = pair
        changed()
        return true
    }
}
