import Foundation

/// The directory backend: a directory that *is* a Consul KV tree on disk, so
/// `<dir>/gloo/gateway.solo.io/v1/VirtualService/gloo-system/default.yaml` is the key
/// `gloo/gateway.solo.io/v1/VirtualService/gloo-system/default`.
///
/// Versions are content hashes; writes are atomic (temporary file + rename) and compare-and-set
/// under an `flock`, so several processes can share one tree. Watching scans every
/// `pollInterval`, re-reading only files whose size, time or inode changed.
public actor DirectoryStore: KeyValueBackend {
    public nonisolated let rootKey: String
    public nonisolated let directory: String
    public nonisolated let pollInterval: Duration
    /// Told of every scan (its duration and whether it failed).
    public nonisolated let observer: (any BackendRequestObserver)?
    /// The clock the poll waits on (tests pass a manual one).
    public nonisolated let clock: any Clock<Duration>
    public nonisolated var backendName: String { "directory" }
    private var tree: DirectoryTree
    private let lock: FileLock

    public init(
        directory: String, rootKey: String = ResourceKey.defaultRootKey, pollInterval: Duration = .milliseconds(250),
        observer: (any BackendRequestObserver)? = nil, clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.observer = observer
        self.clock = clock
        let directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.directory = directory
        self.rootKey = rootKey
        self.pollInterval = pollInterval
        self.tree = DirectoryTree(directory: directory)
        self.lock = FileLock(path: directory + "/.gloo-hashi.lock")
    }

    public func entry(_ key: String) throws -> KVEntry? {
        try DirectoryStore.checkKey(key)
        guard let relativePath = tree.existingPath(for: key) else { return nil }
        guard let data = FileManager.default.contents(atPath: directory + "/" + relativePath) else { return nil }
        let bytes = [UInt8](data)
        return KVEntry(key: key, value: bytes, version: DirectoryTree.version(of: bytes))
    }

    public func entries(prefix: String) throws -> KVListing {
        let started = ContinuousClock.now
        do {
            let listing = try tree.scan(prefix: prefix)
            observer?.observe(BackendRequest(backend: backendName, operation: "scan", duration: ContinuousClock.now - started, failed: false))
            return listing
        } catch {
            observer?.observe(BackendRequest(backend: backendName, operation: "scan", duration: ContinuousClock.now - started, failed: true))
            throw error
        }
    }

    public func write(_ key: String, value: [UInt8], ifVersion: UInt64) throws -> UInt64? {
        try DirectoryStore.checkKey(key)
        return try lock.withLock {
            let current = try entry(key)
            guard (current?.version ?? 0) == ifVersion else { return nil }
            let relativePath = tree.existingPath(for: key) ?? key + ".yaml"
            try writeAtomically(Data(value), to: directory + "/" + relativePath)
            return DirectoryTree.version(of: value)
        }
    }

    public func remove(_ key: String, ifVersion: UInt64?) throws -> Bool {
        try DirectoryStore.checkKey(key)
        return try lock.withLock {
            guard let current = try entry(key), let relativePath = tree.existingPath(for: key) else { return false }
            if let ifVersion, ifVersion != current.version { return false }
            try FileManager.default.removeItem(atPath: directory + "/" + relativePath)
            return true
        }
    }

    public nonisolated func watchEntries(prefix: String) -> AsyncThrowingStream<KVListing, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var last: KVListing?
                while !Task.isCancelled {
                    do {
                        let listing = try await self.entries(prefix: prefix)
                        // An unchanged scan returns the same listing: its arrays compare by identity.
                        if listing != last {
                            last = listing
                            continuation.yield(listing)
                        }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    try? await clock.sleep(for: pollInterval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The key a file stands for: the part of its path from the root key on, without the
    /// extension (`examples/consul-kv/gloo/gloo.solo.io/v1/Upstream/ns/a.yaml` ->
    /// `gloo/gloo.solo.io/v1/Upstream/ns/a`); the whole path when it has no such part.
    public static func key(forFile path: String, rootKey: String = ResourceKey.defaultRootKey) -> String {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if let last = components.last {
            let ext = (last as NSString).pathExtension
            if DirectoryTree.extensions.contains(ext) { components[components.count - 1] = String(last.dropLast(ext.count + 1)) }
        }
        let rootComponents = rootKey.split(separator: "/").map(String.init)
        let keyLength = rootComponents.count + 5
        if components.count >= keyLength {
            let candidate = Array(components.suffix(keyLength))
            if Array(candidate.prefix(rootComponents.count)) == rootComponents { return candidate.joined(separator: "/") }
        }
        // Not a full key: keep what follows the root key, if it appears, so the layout error is precise.
        if let start = components.lastIndex(of: rootComponents.first ?? rootKey) {
            return components[start...].joined(separator: "/")
        }
        return components.joined(separator: "/")
    }

    private func writeAtomically(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.\((path as NSString).lastPathComponent).tmp-\(UInt64.random(in: 0...UInt64.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw StoreError.unavailable(backend: "directory", cause: "cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let cause = errnoText()
            try? FileManager.default.removeItem(atPath: temporary)
            throw StoreError.unavailable(backend: "directory", cause: "cannot rename into \(path): \(cause)")
        }
    }

    /// Keys may not climb out of the directory.
    private static func checkKey(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        if key.hasPrefix("/") || segments.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) {
            throw StoreError.invalid(key: key, findings: [Finding(.error, key: key, reason: "not a valid key for a directory tree")])
        }
    }
}
