import Foundation
import HashiHTTP
import NIOCore

/// The state behind the Consul test server: the KV table with Consul's indexes (CreateIndex,
/// ModifyIndex, LockIndex, tombstones for deletes), sessions and locks, the catalog, blocking-query
/// waiters, the request log and faults. One Raft index orders every write, as in Consul.
actor ConsulKVState: BlockingQueryHost {
    struct Pair: Sendable, Equatable {
        var key: String
        var value: [UInt8]
        var createIndex: UInt64
        var modifyIndex: UInt64
        var flags: UInt64
        var lockIndex: UInt64 = 0
        var session: String?
    }

    struct LoggedRequest: Sendable, Hashable {
        var method: String
        var path: String
        var query: String
    }

    var raftIndex: UInt64 = 1
    var pairs: [String: Pair] = [:] {
        // A key added or removed (the only way the count changes; a transaction that does both
        // drops the order itself).
        didSet { if let keys = sortedKeys, keys.count != pairs.count { sortedKeys = nil } }
    }
    /// Deleted keys and the index of their deletion, so a prefix's index moves on a delete.
    var tombstones: [String: UInt64] = [:]
    var sessions: [String: TestSession] = [:]
    /// Keys whose lock was lost with a session: no acquire until the instant.
    var lockDelays: [String: Timeline.Instant] = [:]
    /// The clock session TTLs and lock delays run on (tests may pass a manual one).
    var sessionTimeline = Timeline()
    var catalog = TestCatalog()
    /// Answers to drop (the connection closes without a complete response).
    var drops = 0
    /// Each pair's JSON as last encoded, reused while the pair is unchanged: a recursive read
    /// of 15,000 keys is a concatenation, so the benchmarks time the client, not this server.
    private var encoded: [String: (pair: Pair, json: [UInt8])] = [:]
    /// The keys in order, rebuilt after a key is added or removed.
    var sortedKeys: [String]? {
        didSet { if sortedKeys == nil { keysAnswers = [:] } }
    }
    /// `?keys` answers by prefix while the keys stay the same (every watch of a large tree asks
    /// for the key listing after each change).
    private var keysAnswers: [String: ByteBuffer] = [:]
    /// `index(prefix:recurse:)` answers since the last change.
    private var indexes: [String: UInt64] = [:]
    var parked = ParkedQueries()
    private(set) var requests: [LoggedRequest] = []
    private var failures: [(status: Int, remaining: Int)] = []
    var latency: Duration = .zero
    /// Stops the server's blocking queries: parked ones return at once.
    func shutdown() {
        indexes = [:]
        parked.stop()
    }

    func log(_ request: LoggedRequest) -> Int? {
        requests.append(request)
        guard var failure = failures.first else { return nil }
        failure.remaining -= 1
        if failure.remaining <= 0 { failures.removeFirst() } else { failures[0] = failure }
        return failure.status
    }

    func failNext(_ count: Int, status: Int) { failures.append((status, count)) }

    /// The index a read of `prefix` reports: the newest change under it (writes and deletes),
    /// else the KV table's index (Consul's rule for missing keys).
    func index(prefix: String, recurse: Bool) -> UInt64 {
        // Every waiting query asks again after each change (64 of them for a watch in parts, one
        // on the whole tree): each prefix's index is worked out once per change.
        let cacheKey = recurse ? prefix + "/r" : prefix + "/k"
        if let cached = indexes[cacheKey] { return cached }
        let matches: (String) -> Bool = recurse ? { $0.hasPrefix(prefix) } : { $0 == prefix }
        let written = read(prefix: prefix, recurse: recurse).map(\.modifyIndex).max() ?? 0
        let deleted = tombstones.filter { matches($0.key) }.map(\.value).max() ?? 0
        let newest = max(written, deleted)
        let index = newest == 0 ? raftIndex : newest
        indexes[cacheKey] = index
        return index
    }

    func read(prefix: String, recurse: Bool) -> [Pair] {
        guard recurse else { return pairs[prefix].map { [$0] } ?? [] }
        let keys = sortedKeys ?? pairs.keys.sorted()
        sortedKeys = keys
        // The first key not below the prefix, then every key that starts with it.
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < prefix { low = middle + 1 } else { high = middle }
        }
        var found: [Pair] = []
        while low < keys.count, keys[low].hasPrefix(prefix) {
            if let pair = pairs[keys[low]] { found.append(pair) }
            low += 1
        }
        return found
    }

    /// The keys under `prefix` as a JSON array of strings (nil when there is none).
    func keysJSON(prefix: String) -> ByteBuffer? {
        if let cached = keysAnswers[prefix] { return cached }
        let found = read(prefix: prefix, recurse: true)
        guard !found.isEmpty else { return nil }
        let answer = ByteBuffer(string: "[" + found.map { "\"\(ConsulTestServer.escapeJSON($0.key))\"" }.joined(separator: ",") + "]")
        keysAnswers[prefix] = answer
        return answer
    }

    /// `pairs` as a JSON array, each pair encoded once per version.
    func jsonArray(_ pairs: [Pair], encode: (Pair) -> String) -> ByteBuffer {
        var body = ByteBuffer()
        body.reserveCapacity(pairs.reduce(2) { $0 + $1.value.count * 4 / 3 + 200 })
        body.writeInteger(UInt8(ascii: "["))
        for (position, pair) in pairs.enumerated() {
            if position > 0 { body.writeInteger(UInt8(ascii: ",")) }
            if let cached = encoded[pair.key], cached.pair == pair {
                body.writeBytes(cached.json)
            } else {
                let json = Array(encode(pair).utf8)
                encoded[pair.key] = (pair, json)
                body.writeBytes(json)
            }
        }
        body.writeInteger(UInt8(ascii: "]"))
        return body
    }

    /// Waits until a read of `prefix` would report an index above `index`, or `wait` passes.
    func block(prefix: String, recurse: Bool, above index: UInt64, wait: Duration) async {
        await block(above: index, wait: wait) { $0.index(prefix: prefix, recurse: recurse) }
    }

    func setSessionClock(_ clock: any Clock<Duration>) { sessionTimeline = Timeline(clock) }

    /// How many blocking queries are waiting for a change now.
    var blockedQueries: Int { parked.count }

    func changed() {
        indexes = [:]
        parked.wakeAll()
    }

    /// Writes unless the CAS fails (`cas` 0: only when absent).
    func put(_ key: String, value: [UInt8], cas: UInt64?, flags: UInt64) -> Bool {
        if let cas {
            let current = pairs[key]?.modifyIndex ?? 0
            if cas != current { return false }
        }
        raftIndex += 1
        let created = pairs[key]?.createIndex ?? raftIndex
        pairs[key] = Pair(key: key, value: value, createIndex: created, modifyIndex: raftIndex, flags: flags,
                          lockIndex: pairs[key]?.lockIndex ?? 0, session: pairs[key]?.session)
        tombstones[key] = nil
        changed()
        return true
    }

    func delete(_ key: String, recurse: Bool, cas: UInt64?) -> Bool {
        let keys = recurse ? pairs.keys.filter { $0.hasPrefix(key) } : (pairs[key] != nil ? [key] : [])
        if let cas, !recurse {
            guard let current = pairs[key], current.modifyIndex == cas else { return false }
        }
        raftIndex += 1
        for key in keys {
            pairs[key] = nil
            tombstones[key] = raftIndex
        }
        changed()
        return true
    }

    /// A snapshot restore or a new cluster: every index restarts lower, the data stays.
    func restart(lowerIndexTo index: UInt64) {
        raftIndex = index
        pairs = pairs.mapValues { pair in
            var lowered = pair
            lowered.createIndex = min(pair.createIndex, index)
            lowered.modifyIndex = min(pair.modifyIndex, index)
            return lowered
        }
        tombstones = [:]
        changed()
    }

    func clearLog() { requests = [] }

    func dropNext(_ count: Int) { drops += count }

    /// Whether this answer is to be dropped (counts the drop down).
    func takeDrop() -> Bool {
        guard drops > 0 else { return false }
        drops -= 1
        return true
    }
}
