import HashiHTTP
import Foundation
import GlooAPI

/// Gloo resources in Consul KV (`consul kv put gloo/gateway.solo.io/v1/VirtualService/ns/name`):
/// a `KeyValueBackend`, so get, list, CAS put and delete, status write-back and the watch follow
/// Gloo's layout. Versions are Consul's ModifyIndex. The watch is one recursive blocking query on
/// the root key; each answer is decoded only where a ModifyIndex changed (`KVTreeDecoder`).
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

    /// The first listing at once, then one after each change, from a blocking query on `prefix`.
    /// Failures are retried with backoff (never a hot loop); an index that goes backwards
    /// (a snapshot restore, a new cluster) starts over with a full read.
    public func watchEntries(prefix: String) -> AsyncThrowingStream<KVListing, any Error> {
        let store = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                var index = BlockingQueryIndex()
                var backoff = store.minimumBackoff
                var failures = 0
                var generation: UInt64 = 0
                var last: KVListing?
                while !Task.isCancelled {
                    do {
                        let asked = ContinuousClock.now
                        let blockingIndex: UInt64? = index.next == 0 ? nil : index.next
                        let previous = KnownValues(last?.entries ?? [])
                        var (pairs, meta) = try await store.observe("kv-watch") {
                            try await store.kv.list(prefix: prefix, index: blockingIndex) { key, modifyIndex in
                                // The last listing's value when the key kept its ModifyIndex.
                                previous.value(of: key, at: modifyIndex)
                            }
                        }
                        let outcome = index.receive(meta.index)
                        backoff = store.minimumBackoff
                        failures = 0
                        // An answer that comes back early with nothing new is how a hot loop starts
                        // (a proxy that does not block, a stuck index): at most one such per second.
                        if outcome == .unchanged, ContinuousClock.now - asked < .seconds(1) {
                            try await Task.sleep(until: asked + .seconds(1), clock: .continuous)
                        }
                        if outcome == .reset {
                            // A restore may reuse ModifyIndexes for other content: nothing decoded
                            // before is reused, not even for this answer.
                            generation += 1
                            last = nil
                            pairs = try await store.observe("kv-list") { try await store.kv.list(prefix: prefix) }.0
                        }
                        var listing = Self.listing(pairs, meta)
                        listing.generation = generation
                        if last == nil || listing.entries != last?.entries {
                            last = listing
                            continuation.yield(listing)
                        }
                    } catch {
                        if Task.isCancelled { break }
                        // A blip is retried here; a failure that persists ends the stream, and the
                        // consumer reports it and watches again after its own backoff.
                        failures += 1
                        if failures > store.quickRetries {
                            continuation.finish(throwing: error)
                            return
                        }
                        try? await Task.sleep(for: Self.jittered(backoff))
                        backoff = backoff * 2
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func listing(_ pairs: [ConsulKV.Pair], _ meta: ConsulQueryMeta) -> KVListing {
        // Folders (keys ending in `/`) are not values.
        var entries = pairs.filter { !$0.key.hasSuffix("/") }.map { KVEntry(key: $0.key, value: $0.value, version: $0.modifyIndex) }
        // Consul answers in key order; sort only when an answer does not.
        if zip(entries, entries.dropFirst()).contains(where: { $0.key >= $1.key }) { entries.sort { $0.key < $1.key } }
        return KVListing(entries: entries, index: meta.index)
    }

    /// `duration` plus up to a quarter more, so replicas do not retry in step.
    static func jittered(_ duration: Duration) -> Duration {
        duration + duration * Double.random(in: 0..<0.25)
    }

    private func observe<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
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

/// The values of the last listing, looked up in answer order: Consul lists keys sorted, so the
/// next key is almost always at the next position and no table is built for 15,000 keys.
final class KnownValues {
    private let entries: [KVEntry]
    private var cursor = 0
    private lazy var byKey: [String: Int] = Dictionary(entries.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })

    init(_ entries: [KVEntry]) { self.entries = entries }

    /// The value stored for `key` when it still has `version`.
    func value(of key: String, at version: UInt64) -> [UInt8]? {
        let position: Int
        if cursor < entries.count, entries[cursor].key == key {
            position = cursor
        } else if let found = byKey[key] {
            position = found
        } else {
            return nil
        }
        cursor = position + 1
        return entries[position].version == version ? entries[position].value : nil
    }
}
