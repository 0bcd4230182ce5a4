/// Turns KV listings into resources and findings, decoding only values whose version changed
/// since the last listing (a one-key change at 5,000 resources decodes one value).
public struct KVTreeDecoder: Sendable {
    public let rootKey: String
    private var cache: [String: (version: UInt64, outcome: Outcome)] = [:]

    private enum Outcome: Sendable {
        case resource(AnyResource, [Finding])
        case rejected([Finding])
    }

    public init(rootKey: String = ResourceKey.defaultRootKey) {
        self.rootKey = rootKey
    }

    /// Decodes a listing: every valid resource, and a finding for each key that does not fit the
    /// layout or whose value is rejected or warned about.
    public mutating func decode(_ listing: KVListing) -> ResourceListing {
        var resources = ResourceSet()
        var findings = listing.problems
        var seen: [String: (version: UInt64, outcome: Outcome)] = [:]
        for entry in listing.entries where !entry.key.hasSuffix("/") {
            let outcome: Outcome
            if let cached = cache[entry.key], cached.version == entry.version {
                outcome = cached.outcome
            } else {
                outcome = KVTreeDecoder.decode(entry, rootKey: rootKey)
            }
            seen[entry.key] = (entry.version, outcome)
            switch outcome {
            case .resource(let resource, let warnings):
                resources.insert(resource)
                findings += warnings
            case .rejected(let problems):
                findings += problems
            }
        }
        cache = seen
        resources.sort()
        return ResourceListing(resources: resources, findings: findings.sorted(), index: listing.index)
    }

    private static func decode(_ entry: KVEntry, rootKey: String) -> Outcome {
        switch ResourceKey.parse(entry.key, rootKey: rootKey) {
        case .failure(let error):
            return .rejected([Finding(.error, key: entry.key, reason: error.reason)])
        case .success(let key):
            let decoded = ResourceCodec.decodeAny(from: entry.value, key: key, resourceVersion: String(entry.version))
            let findings = decoded.problems.map { Finding(key: entry.key, $0) }
            if let resource = decoded.resource { return .resource(resource, findings) }
            return .rejected(findings)
        }
    }
}

/// Every resource a store holds at one moment, and what is wrong with the rest.
public struct ResourceListing: Hashable, Sendable {
    public var resources: ResourceSet
    /// Rejected values, bad keys and warnings, sorted by key.
    public var findings: [Finding]
    /// The backend index the listing reflects.
    public var index: UInt64

    public init(resources: ResourceSet = ResourceSet(), findings: [Finding] = [], index: UInt64 = 0) {
        self.resources = resources
        self.findings = findings
        self.index = index
    }
}
