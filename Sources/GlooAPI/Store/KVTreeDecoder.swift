/// Turns KV listings into resources and findings, decoding only values whose version changed
/// since the last listing (a one-key change at 5,000 resources decodes one value).
public struct KVTreeDecoder: Sendable {
    public let rootKey: String
    private var cache: [String: (version: UInt64, outcome: Outcome)] = [:]
    /// The last listing's resources: kinds with no added, changed or removed key keep their
    /// array as it was (the same storage), so later comparisons of them are a pointer check.
    private var previous: ResourceSet?
    /// The last listing's keys and versions in order, and what it decoded to.
    private var previousKeys: [String] = []
    private var previousVersions: [UInt64] = []
    private var previousListing: ResourceListing?
    private var previousProblems: [Finding] = []
    private var generation: UInt64 = 0
    /// Counts configuration changes; a value whose only change is its status keeps it.
    private var revision: UInt64 = 0

    private enum Outcome: Sendable {
        case resource(AnyResource, [Finding])
        case rejected([Finding])

        /// Whether both decode to the same configuration and findings, statuses aside.
        func sameConfiguration(as other: Outcome) -> Bool {
            switch (self, other) {
            case (.resource(let left, let leftFindings), .resource(let right, let rightFindings)):
                leftFindings == rightFindings && left.sameConfiguration(as: right)
            case (.rejected(let left), .rejected(let right)): left == right
            default: false
            }
        }
    }

    public init(rootKey: String = ResourceKey.defaultRootKey) {
        self.rootKey = rootKey
    }

    /// Decodes a listing: every valid resource, and a finding for each key that does not fit the
    /// layout or whose value is rejected or warned about.
    public mutating func decode(_ listing: KVListing) -> ResourceListing {
        if listing.generation != generation {
            // Versions from before mean nothing now: decode everything again.
            let revision = revision
            self = KVTreeDecoder(rootKey: rootKey)
            self.revision = revision
            generation = listing.generation
        }
        var decoded = decodeChangedValues(listing) ?? decodeAll(listing)
        decoded.generation = listing.generation
        decoded.contentRevision = revision
        previousListing = decoded
        previousProblems = listing.problems
        return decoded
    }

    /// The common case of a watch: the same keys, a few values changed, each still a valid
    /// resource without warnings. The changed resources replace theirs in the last listing (no
    /// pass over every key's outcome, no sort). Nil when the listing is not of that shape.
    private mutating func decodeChangedValues(_ listing: KVListing) -> ResourceListing? {
        guard let previousListing, listing.problems == previousProblems else { return nil }
        var changed: [(index: Int, entry: KVEntry)] = []
        var index = 0
        let control = Array(ResourceKey.controlPrefix(rootKey: rootKey).utf8)
        // By position, without copying entries: this runs on every change at 15,000 keys.
        let entries = listing.entries
        for position in entries.indices where Self.isResourceKey(entries[position].key, control: control) {
            guard index < previousKeys.count, entries[position].key == previousKeys[index] else { return nil }
            if entries[position].version != previousVersions[index] { changed.append((index, entries[position])) }
            index += 1
        }
        guard index == previousKeys.count else { return nil }
        var resources = previousListing.resources
        var outcomes: [(key: String, version: UInt64, outcome: Outcome)] = []
        var configurationChanged = false
        for (_, entry) in changed {
            guard case .resource(let old, let oldWarnings)? = cache[entry.key]?.outcome, oldWarnings.isEmpty else { return nil }
            let outcome = KVTreeDecoder.decode(entry, rootKey: rootKey)
            guard case .resource(let resource, let warnings) = outcome, warnings.isEmpty, resources.replace(resource) else { return nil }
            if !configurationChanged, !old.sameConfiguration(as: resource) { configurationChanged = true }
            outcomes.append((entry.key, entry.version, outcome))
        }
        for (position, entry) in changed { previousVersions[position] = entry.version }
        for outcome in outcomes { cache[outcome.key] = (outcome.version, outcome.outcome) }
        if configurationChanged { revision += 1 }
        previous = resources
        var decoded = ResourceListing(resources: resources, findings: previousListing.findings, index: listing.index)
        decoded.rejectedVersions = previousListing.rejectedVersions
        return decoded
    }

    private mutating func decodeAll(_ listing: KVListing) -> ResourceListing {
        var resources = ResourceSet()
        var findings = listing.problems
        var seen: [String: (version: UInt64, outcome: Outcome)] = [:]
        var changedKeys: [String] = []
        var rejectedVersions: [String: UInt64] = [:]
        var configurationChanged = previousListing == nil || listing.problems != previousProblems
        let control = Array(ResourceKey.controlPrefix(rootKey: rootKey).utf8)
        let kept = listing.entries.filter { Self.isResourceKey($0.key, control: control) }
        for entry in kept {
            let outcome: Outcome
            if let cached = cache[entry.key], cached.version == entry.version {
                outcome = cached.outcome
            } else {
                outcome = KVTreeDecoder.decode(entry, rootKey: rootKey)
                changedKeys.append(entry.key)
                if !configurationChanged, !(cache[entry.key]?.outcome.sameConfiguration(as: outcome) ?? false) {
                    configurationChanged = true
                }
            }
            seen[entry.key] = (entry.version, outcome)
            switch outcome {
            case .resource(let resource, let warnings):
                resources.insert(resource)
                findings += warnings
            case .rejected(let problems):
                findings += problems
                rejectedVersions[entry.key] = entry.version
            }
        }
        let removed = cache.keys.filter { seen[$0] == nil }
        if !removed.isEmpty { configurationChanged = true }
        changedKeys += removed
        if configurationChanged { revision += 1 }
        cache = seen
        previousKeys = kept.map(\.key)
        previousVersions = kept.map(\.version)
        resources.sort()
        if let previous { keepUnchangedKinds(of: previous, in: &resources, changedKeys: changedKeys) }
        previous = resources
        var decoded = ResourceListing(resources: resources, findings: findings.sorted(), index: listing.index)
        decoded.rejectedVersions = rejectedVersions
        return decoded
    }

    private func keepUnchangedKinds(of previous: ResourceSet, in resources: inout ResourceSet, changedKeys: [String]) {
        let rootKey = rootKey
        func keep<R: Resource>(_ path: WritableKeyPath<ResourceSet, [R]>) {
            let prefix = ResourceKey.kindPrefix(rootKey: rootKey, kind: R.kind)
            guard previous[keyPath: path].count == resources[keyPath: path].count,
                  !changedKeys.contains(where: { $0.hasPrefix(prefix) })
            else { return }
            resources[keyPath: path] = previous[keyPath: path]
        }
        keep(\.upstreams)
        keep(\.upstreamGroups)
        keep(\.proxies)
        keep(\.secrets)
        keep(\.artifacts)
        keep(\.endpoints)
        keep(\.settings)
        keep(\.gateways)
        keep(\.virtualServices)
        keep(\.routeTables)
        keep(\.virtualHostOptions)
        keep(\.routeOptions)
    }

    /// Whether a key can hold a resource: not a folder (ending in `/`) and not the controller's
    /// own (leader lock) under `control`.
    private static func isResourceKey(_ key: String, control: [UInt8]) -> Bool {
        key.utf8.last != UInt8(ascii: "/") && !key.utf8.starts(with: control)
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
    /// The backend's version generation (`KVListing.generation`).
    public var generation: UInt64 = 0
    /// Grows whenever the configuration changes, and only then: a value whose only change is
    /// its status (a write-back) keeps it. Nil when the producer does not count (compare instead).
    public var contentRevision: UInt64?
    /// The versions of values that were rejected (they have no resource to carry one), by key.
    public var rejectedVersions: [String: UInt64] = [:]

    public init(resources: ResourceSet = ResourceSet(), findings: [Finding] = [], index: UInt64 = 0) {
        self.resources = resources
        self.findings = findings
        self.index = index
    }
}
