/// A KV tree in memory with Consul-like versions (a global index that grows with every write).
/// For tests and for the in-process state of discovery.
public actor InMemoryStore: KeyValueBackend {
    public nonisolated let rootKey: String
    public nonisolated var backendName: String { "memory" }
    private var values: [String: KVEntry] = [:]
    private var index: UInt64 = 1
    private var watchers: [Int: (prefix: String, continuation: AsyncThrowingStream<KVListing, any Error>.Continuation)] = [:]
    private var nextWatcher = 0

    public init(rootKey: String = ResourceKey.defaultRootKey) {
        self.rootKey = rootKey
    }

    public func entry(_ key: String) -> KVEntry? { values[key] }

    /// The index of the last write (it grows with every write, as Consul's does).
    public var currentIndex: UInt64 { index }

    public func entries(prefix: String) -> KVListing {
        KVListing(entries: values.values.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }, index: index)
    }

    public func write(_ key: String, value: [UInt8], ifVersion: UInt64) -> UInt64? {
        guard (values[key]?.version ?? 0) == ifVersion else { return nil }
        index += 1
        values[key] = KVEntry(key: key, value: value, version: index)
        notify(key)
        return index
    }

    public func remove(_ key: String, ifVersion: UInt64?) -> Bool {
        guard let current = values[key], ifVersion == nil || current.version == ifVersion else { return false }
        values[key] = nil
        index += 1
        notify(key)
        return true
    }

    /// Stores raw bytes unconditionally (for tests that need values no `put` would write).
    @discardableResult
    public func store(_ key: String, _ text: String) -> UInt64 {
        index += 1
        values[key] = KVEntry(key: key, value: Array(text.utf8), version: index)
        notify(key)
        return index
    }

    public nonisolated func watchEntries(prefix: String) -> AsyncThrowingStream<KVListing, any Error> {
        let (stream, continuation) = AsyncThrowingStream<KVListing, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1))
        Task { await self.addWatcher(prefix: prefix, continuation: continuation) }
        return stream
    }

    private func addWatcher(prefix: String, continuation: AsyncThrowingStream<KVListing, any Error>.Continuation) {
        let id = nextWatcher
        nextWatcher += 1
        watchers[id] = (prefix, continuation)
        continuation.onTermination = { _ in Task { await self.removeWatcher(id) } }
        continuation.yield(entries(prefix: prefix))
    }

    private func removeWatcher(_ id: Int) {
        watchers[id] = nil
    }

    private func notify(_ key: String) {
        for watcher in watchers.values where key.hasPrefix(watcher.prefix) {
            watcher.continuation.yield(entries(prefix: watcher.prefix))
        }
    }
}
