import HashiHTTP
import Foundation
import GlooAPI

/// Gloo resources in Consul KV (`consul kv put gloo/gateway.solo.io/v1/VirtualService/ns/name`):
/// a `KeyValueBackend`, so get, list, CAS put and delete, status write-back and the watch follow
/// Gloo's layout. Versions are Consul's ModifyIndex. The watch (`ConsulKVStore+Watch`) is one
/// recursive blocking query on the root key, or several on parts of a large tree; each answer is
/// decoded only where a ModifyIndex changed (`KVTreeDecoder`).
public struct ConsulKVStore: KeyValueBackend {
    public let rootKey: String
    public var backendName: String { "consul" }
    public let kv: ConsulKV
    public let txn: ConsulTxn
    /// Told of every request (for metrics).
    public let observer: (any BackendRequestObserver)?
    /// Retries of a failed blocking query before the watch reports the failure (its consumer
    /// reports it, keeps the last good configuration and watches again with its own backoff,
    /// starting with a full read): 250 ms, then 500 ms, with jitter.
    public var quickRetries = 2
    public var minimumBackoff: Duration = .milliseconds(250)
    /// The clock the watch paces and backs off on (tests pass a manual one).
    public var clock: any Clock<Duration> = ContinuousClock()
    /// A watched tree whose recursive answer would be larger than this is watched in parts
    /// (`KVWatchPlan`) of about `watchPartBytes` each, at most `maximumWatchParts` blocking queries.
    public var wholeWatchBelow = 1024 * 1024
    public var watchPartBytes = 192 * 1024
    public var maximumWatchParts = 64

    public init(client: ConsulHTTPClient, rootKey: String = ResourceKey.defaultRootKey, observer: (any BackendRequestObserver)? = nil) {
        self.kv = ConsulKV(client: client)
        self.txn = ConsulTxn(client: client)
        self.rootKey = rootKey
        self.observer = observer
    }

    public func entry(_ key: String) async throws -> KVEntry? {
        let (pair, _) = try await observe("kv-get") { try await kv.get(key) }
        return pair.map { KVEntry(key: $0.key, value: $0.value, version: $0.modifyIndex) }
    }

    public func entries(prefix: String) async throws -> KVListing {
        let (pairs, meta) = try await observe("kv-list") { try await kv.list(prefix: prefix) }
        return Self.listing(pairs, meta)
    }

    public func write(_ key: String, value: [UInt8], ifVersion: UInt64) async throws -> UInt64? {
        // A one-operation transaction answers with the new ModifyIndex; its body is base64, so
        // large values (Consul caps a transaction's request) go through a plain PUT instead.
        if value.count <= Self.largestTransactionValue {
            do {
                return try await observe("kv-cas") {
                    try await txn.apply([.cas(key: key, value: value, index: ifVersion)]).first?.modifyIndex
                }
            } catch is ConsulTxn.Failure {
                return nil
            }
        }
        guard try await observe("kv-cas", { try await kv.put(key, value: value, cas: ifVersion) }) else { return nil }
        // Consul's PUT answers true/false only: read the new ModifyIndex back.
        return try await entry(key)?.version
    }

    /// Up to 64 keys in one transaction of gets; when one is missing (Consul rolls the whole
    /// transaction back), one by one.
    public func entries(keys: [String]) async throws -> [String: KVEntry] {
        if keys.count > 1, keys.count <= ConsulTxn.maximumOperations {
            do {
                let pairs = try await observe("kv-txn-get") { try await txn.apply(keys.map { .get(key: $0) }) }
                return Dictionary(pairs.map { ($0.key, KVEntry(key: $0.key, value: $0.value, version: $0.modifyIndex)) },
                                  uniquingKeysWith: { first, _ in first })
            } catch is ConsulTxn.Failure {}
        }
        var found: [String: KVEntry] = [:]
        for key in keys { found[key] = try await entry(key) }
        return found
    }

    /// Up to 64 compare-and-set writes in one transaction (all or none).
    public func writeTogether(_ writes: [KVWrite]) async throws -> [UInt64]? {
        guard !writes.isEmpty, writes.count <= ConsulTxn.maximumOperations,
              writes.reduce(0, { $0 + $1.value.count }) <= Self.largestTransactionValue
        else { return nil }
        do {
            let pairs = try await observe("kv-txn-cas") {
                try await txn.apply(writes.map { .cas(key: $0.key, value: $0.value, index: $0.ifVersion) })
            }
            return pairs.count == writes.count ? pairs.map(\.modifyIndex) : nil
        } catch is ConsulTxn.Failure {
            return nil
        }
    }

    /// Values up to this size are written in a transaction (384 KiB: base64 stays under Consul's
    /// 512 KiB transaction request limit).
    static let largestTransactionValue = 384 * 1024

    public func remove(_ key: String, ifVersion: UInt64?) async throws -> Bool {
        guard try await entry(key) != nil else { return false }
        return try await observe("kv-delete") { try await kv.delete(key, cas: ifVersion) }
    }

    static func listing(_ pairs: [ConsulKV.Pair], _ meta: ConsulQueryMeta) -> KVListing {
        // Folders (keys ending in `/`) are not values.
        var entries = pairs.filter { !$0.key.hasSuffix("/") }.map { KVEntry(key: $0.key, value: $0.value, version: $0.modifyIndex) }
        // Consul answers in key order; sort only when an answer does not.
        if zip(entries, entries.dropFirst()).contains(where: { $0.key >= $1.key }) { entries.sort { $0.key < $1.key } }
        return KVListing(entries: entries, index: meta.index)
    }

    /// The blocking-query loop the watch's queries run on: `quickRetries` failures in a row
    /// with backoff from `minimumBackoff`, then the failure ends the watch.
    var watchLoop: BlockingQueryLoop {
        BlockingQueryLoop(backoff: Backoff(initial: minimumBackoff, maximum: .seconds(30)), maximumFailures: quickRetries, clock: clock)
    }

    func observe<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let result = try await body()
            observer?.observe(BackendRequest(backend: "consul", operation: operation, duration: ContinuousClock.now - started, failed: false))
            return result
        } catch {
            observer?.observe(BackendRequest(backend: "consul", operation: operation, duration: ContinuousClock.now - started, failed: true))
            throw error
        }
    }
}
