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

    @discardableResult
    public func updateStatus(_ key: ResourceKey, reporterNamespace: String, status: Status, basis: StatusBasis?) async throws -> StatusUpdate {
        let statusTree = try ConfigEncoder.encode(status)
        // A compare that fails means someone wrote meanwhile: re-read and try again, a few times.
        for _ in 0..<4 {
            guard let entry = try await entry(key.key) else { throw StoreError.notFound(key: key.key) }
            if let basis, entry.version != basis.version, !Self.holdsConfiguration(of: basis, entry, key) {
                return .superseded
            }
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
            if updated == tree { return .unchanged(version: entry.version) }
            if let version = try await write(key.key, value: Array(updated.yamlText().utf8), ifVersion: entry.version) {
                return .written(version: version)
            }
        }
        let actual = try await entry(key.key).map { String($0.version) } ?? ""
        throw StoreError.conflict(key: key.key, expected: basis.map { String($0.version) } ?? "", actual: actual)
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
