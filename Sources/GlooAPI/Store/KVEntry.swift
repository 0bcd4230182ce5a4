/// One key of a KV tree with its bytes and the store's version of it (Consul's `ModifyIndex`,
/// a content hash on disk). Version 0 never names a stored value: CAS with 0 means "create only".
public struct KVEntry: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]
    public var version: UInt64

    public init(key: String, value: [UInt8], version: UInt64) {
        self.key = key
        self.value = value
        self.version = version
    }
}

/// A consistent listing of a KV prefix at one moment.
public struct KVListing: Hashable, Sendable {
    public var entries: [KVEntry]
    /// The backend's index for the whole listing (Consul's `X-Consul-Index`).
    public var index: UInt64
    /// Paths under the prefix that cannot be keys at all (directory backend: unreadable files,
    /// two files for one key), reported like bad keys.
    public var problems: [Finding]
    /// Changes when the backend's versions stop being comparable with earlier ones (Consul's
    /// index went backwards: a snapshot restore can reuse a ModifyIndex for other content), so
    /// nothing cached by version survives it.
    public var generation: UInt64

    public init(entries: [KVEntry], index: UInt64, problems: [Finding] = [], generation: UInt64 = 0) {
        self.entries = entries
        self.index = index
        self.problems = problems
        self.generation = generation
    }
}
