/// A KV tree with versioned, compare-and-set writes: Consul KV, a directory, memory.
///
/// Conforming gives the `ResourceStore` and `SecretStore` behaviour for free (Gloo's key layout,
/// YAML values, CAS on versions, raw status write-back), so a new backend is one file.
public protocol KeyValueBackend: ResourceStore, SecretStore {
    /// The first segment(s) of every resource key (`gloo`).
    var rootKey: String { get }
    /// A short name for errors and metrics (`consul`, `directory`, `memory`).
    var backendName: String { get }
    /// The entry stored under `key`, or nil.
    func entry(_ key: String) async throws -> KVEntry?
    /// Every entry whose key starts with `prefix`.
    func entries(prefix: String) async throws -> KVListing
    /// Writes `value` if the stored version is `ifVersion` (0: only if absent). Returns the new
    /// version, or nil when the compare failed.
    func write(_ key: String, value: [UInt8], ifVersion: UInt64) async throws -> UInt64?
    /// Removes `key` if its version is `ifVersion` (nil: whatever it is). False when the compare
    /// failed or nothing was there.
    func remove(_ key: String, ifVersion: UInt64?) async throws -> Bool
    /// Listings of `prefix`: the first at once, then one after each change.
    func watchEntries(prefix: String) -> AsyncThrowingStream<KVListing, any Error>
    /// The entries stored under `keys` (missing ones absent), in one request where the backend can.
    func entries(keys: [String]) async throws -> [String: KVEntry]
    /// Writes all of `writes` or none, compare-and-set each: the new versions in order, or nil
    /// when a compare failed or the backend cannot write them together (then nothing was written).
    func writeTogether(_ writes: [KVWrite]) async throws -> [UInt64]?
}

/// One compare-and-set write of a batch.
public struct KVWrite: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]
    /// The version the key must have (0: absent).
    public var ifVersion: UInt64

    public init(key: String, value: [UInt8], ifVersion: UInt64) {
        self.key = key
        self.value = value
        self.ifVersion = ifVersion
    }
}

extension KeyValueBackend {
    private func key<R: Resource>(_ type: R.Type, _ ref: ResourceRef) -> ResourceKey {
        ResourceKey(rootKey: rootKey, kind: R.kind, namespace: ref.namespace, name: ref.name)
    }

    public func get<R: Resource>(_ type: R.Type, _ ref: ResourceRef) async throws -> R? {
        let resourceKey = key(type, ref)
        guard let entry = try await entry(resourceKey.key) else { return nil }
        let decoded = ResourceCodec.decode(type, from: entry.value, key: resourceKey, resourceVersion: String(entry.version))
        guard let resource = decoded.resource else {
            throw StoreError.invalid(key: resourceKey.key, findings: decoded.problems.map { Finding(key: resourceKey.key, $0) })
        }
        return resource
    }

    public func list<R: Resource>(_ type: R.Type, namespace: String?) async throws -> [R] {
        let prefix = namespace.map { ResourceKey.namespacePrefix(rootKey: rootKey, kind: R.kind, namespace: $0) }
            ?? ResourceKey.kindPrefix(rootKey: rootKey, kind: R.kind)
        var decoder = KVTreeDecoder(rootKey: rootKey)
        return decoder.decode(try await entries(prefix: prefix)).resources.list(type)
    }

    public func put<R: Resource>(_ resource: R) async throws -> R {
        let resourceKey = key(R.self, resource.ref)
        if let problem = ResourceName.problem(with: resource.metadata.namespace, role: "namespace")
            ?? ResourceName.problem(with: resource.metadata.name)
        {
            throw StoreError.invalid(key: resourceKey.key, findings: [Finding(.error, key: resourceKey.key, fieldPath: "metadata", reason: problem)])
        }
        let expected = resource.metadata.resourceVersion
        guard let expectedVersion = expected.isEmpty ? 0 : UInt64(expected) else {
            throw StoreError.conflict(key: resourceKey.key, expected: expected, actual: "")
        }
        let bytes = Array(ResourceCodec.yaml(resource).utf8)
        guard let version = try await write(resourceKey.key, value: bytes, ifVersion: expectedVersion) else {
            let actual = try await entry(resourceKey.key).map { String($0.version) } ?? ""
            throw StoreError.conflict(key: resourceKey.key, expected: expected, actual: actual)
        }
        var stored = resource
        stored.metadata.resourceVersion = String(version)
        return stored
    }

    public func delete<R: Resource>(_ type: R.Type, _ ref: ResourceRef, resourceVersion: String?) async throws {
        let resourceKey = key(type, ref)
        guard let current = try await entry(resourceKey.key) else { throw StoreError.notFound(key: resourceKey.key) }
        let expected = resourceVersion.flatMap { $0.isEmpty ? nil : UInt64($0) }
        if let resourceVersion, !resourceVersion.isEmpty, expected == nil {
            throw StoreError.conflict(key: resourceKey.key, expected: resourceVersion, actual: String(current.version))
        }
        guard try await remove(resourceKey.key, ifVersion: expected) else {
            let actual = try await entry(resourceKey.key).map { String($0.version) } ?? ""
            throw StoreError.conflict(key: resourceKey.key, expected: resourceVersion ?? "", actual: actual)
        }
    }

    public func entries(keys: [String]) async throws -> [String: KVEntry] {
        var found: [String: KVEntry] = [:]
        for key in keys { found[key] = try await entry(key) }
        return found
    }

    public func writeTogether(_ writes: [KVWrite]) async throws -> [UInt64]? { nil }

    @discardableResult
    public func updateStatus(_ key: ResourceKey, reporterNamespace: String, status: Status, basis: StatusBasis?) async throws -> StatusUpdate {
        let statusTree = try ConfigEncoder.encode(status)
        // A compare that fails means someone wrote meanwhile: re-read and try again, a few times.
        for _ in 0..<4 {
            guard let entry = try await entry(key.key) else { throw StoreError.notFound(key: key.key) }
            switch try Self.statusWrite(entry, key, reporterNamespace, statusTree, basis) {
            case .done(let outcome): return outcome
            case .write(let value):
                if let version = try await write(key.key, value: value, ifVersion: entry.version) { return .written(version: version) }
            }
        }
        let actual = try await entry(key.key).map { String($0.version) } ?? ""
        throw StoreError.conflict(key: key.key, expected: basis.map { String($0.version) } ?? "", actual: actual)
    }

    /// Batches of up to 64 write-backs (and 256 KiB of values): one read of the batch, one
    /// compare-and-set write of all of it; when a compare fails, each of that batch goes alone
    /// (re-read and retried). With Consul that is two transactions per 64 statuses.
    public func updateStatuses(_ changes: [StatusChange], reporterNamespace: String) async -> [Result<StatusUpdate, any Error>] {
        var results = [Result<StatusUpdate, any Error>?](repeating: nil, count: changes.count)
        var start = 0
        while start < changes.count {
            let end = min(start + 64, changes.count)
            let batch = Array(start..<end)
            start = end
            let stored: [String: KVEntry]
            do {
                stored = try await entries(keys: batch.map { changes[$0].key.key })
            } catch {
                for index in batch { results[index] = .failure(error) }
                continue
            }
            var writes: [(index: Int, write: KVWrite)] = []
            var size = 0
            for index in batch {
                let change = changes[index]
                do {
                    guard let entry = stored[change.key.key] else { throw StoreError.notFound(key: change.key.key) }
                    switch try Self.statusWrite(entry, change.key, reporterNamespace, try ConfigEncoder.encode(change.status), change.basis) {
                    case .done(let outcome): results[index] = .success(outcome)
                    case .write(let value):
                        if size + value.count > 256 * 1024 && !writes.isEmpty {
                            await writeEach(writes, changes, reporterNamespace, into: &results)
                            writes = []
                            size = 0
                        }
                        writes.append((index, KVWrite(key: change.key.key, value: value, ifVersion: entry.version)))
                        size += value.count
                    }
                } catch {
                    results[index] = .failure(error)
                }
            }
            await writeEach(writes, changes, reporterNamespace, into: &results)
        }
        return results.map { $0 ?? .failure(StoreError.notFound(key: "")) }
    }

    /// Writes a prepared batch together, else each one on its own.
    private func writeEach(
        _ writes: [(index: Int, write: KVWrite)], _ changes: [StatusChange], _ reporterNamespace: String,
        into results: inout [Result<StatusUpdate, any Error>?]
    ) async {
        if writes.isEmpty { return }
        if let versions = try? await writeTogether(writes.map(\.write)), versions.count == writes.count {
            for (position, item) in writes.enumerated() { results[item.index] = .success(.written(version: versions[position])) }
            return
        }
        for item in writes {
            let change = changes[item.index]
            do {
                results[item.index] = .success(try await updateStatus(change.key, reporterNamespace: reporterNamespace,
                                                                      status: change.status, basis: change.basis))
            } catch {
                results[item.index] = .failure(error)
            }
        }
    }

    /// What writing `status` into `entry` takes: nothing (equal already, or the configuration
    /// changed since it was translated), or the new value.
    private static func statusWrite(
        _ entry: KVEntry, _ key: ResourceKey, _ reporterNamespace: String, _ statusTree: ConfigValue, _ basis: StatusBasis?
    ) throws -> PreparedStatus {
        if let basis, entry.version != basis.version, !holdsConfiguration(of: basis, entry, key) { return .done(.superseded) }
        let tree: ConfigValue
        switch ResourceCodec.parse(entry.value) {
        case .success(let value): tree = value
        case .failure(let problem):
            // Not even YAML: there is nowhere to put a status without losing the user's bytes.
            throw StoreError.invalid(key: key.key, findings: [Finding(key: key.key, problem)])
        }
        guard case .map = tree else {
            throw StoreError.invalid(key: key.key, findings: [Finding(.error, key: key.key, reason: "value is not an object")])
        }
        let updated = tree.setting(["namespacedStatuses", "statuses", reporterNamespace], to: statusTree)
        if updated == tree { return .done(.unchanged(version: entry.version)) }
        return .write(Array(updated.yamlText().utf8))
    }

    /// Whether a newer stored value still holds the configuration a status was computed for.
    private static func holdsConfiguration(of basis: StatusBasis, _ entry: KVEntry, _ key: ResourceKey) -> Bool {
        guard let translated = basis.resource,
              let stored = ResourceCodec.decodeAny(from: entry.value, key: key, resourceVersion: String(entry.version)).resource
        else { return false }
        return stored.sameConfiguration(as: translated)
    }

    public func watch() -> AsyncThrowingStream<ResourceListing, any Error> {
        decodedListings(prefix: rootKey + "/") { $0 }
    }

    public func secret(_ ref: ResourceRef) async throws -> Secret? {
        try await get(Secret.self, ref)
    }

    public func watchSecrets() -> AsyncThrowingStream<SecretListing, any Error> {
        decodedListings(prefix: ResourceKey.kindPrefix(rootKey: rootKey, kind: .secret)) {
            SecretListing(secrets: $0.resources.secrets, findings: $0.findings)
        }
    }

    /// Watches `prefix`, decodes each listing (only changed values) and maps it; the decoding
    /// task ends when the consumer stops iterating.
    private func decodedListings<Output: Sendable>(
        prefix: String, _ transform: @escaping @Sendable (ResourceListing) -> Output
    ) -> AsyncThrowingStream<Output, any Error> {
        let listings = watchEntries(prefix: prefix)
        let rootKey = rootKey
        return AsyncThrowingStream { continuation in
            let task = Task {
                var decoder = KVTreeDecoder(rootKey: rootKey)
                do {
                    for try await listing in listings {
                        continuation.yield(transform(decoder.decode(listing)))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension ConfigValue {
    /// This value with the object at `path` set to `value`, creating objects on the way and
    /// keeping every other entry and its order.
    func setting(_ path: [String], to value: ConfigValue) -> ConfigValue {
        guard let first = path.first else { return value }
        var entries = self.entries ?? []
        if let index = entries.firstIndex(where: { $0.key == first }) {
            entries[index].value = entries[index].value.setting(Array(path.dropFirst()), to: value)
        } else {
            entries.append(ConfigEntry(first, ConfigValue.map([]).setting(Array(path.dropFirst()), to: value)))
        }
        return .map(entries)
    }
}

/// A status write-back worked out against a stored entry.
private enum PreparedStatus {
    case done(StatusUpdate)
    case write([UInt8])
}
