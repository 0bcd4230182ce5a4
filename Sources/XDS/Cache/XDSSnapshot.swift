/// Everything one group of Envoys should have: resources per type, each type with a version
/// that is a hash of its resources' names and versions.
public struct XDSSnapshot: Hashable, Sendable {
    public let resources: [TypeURL: [String: XDSResource]]
    public let versions: [TypeURL: String]
    /// Whole-type response bodies, encoded on first use and shared by every copy.
    let sharedBodies = SharedResponseBodies()
    /// Per-type changes from earlier snapshots, computed on first use and shared by every copy.
    let changes = SnapshotChanges()

    public static func == (lhs: XDSSnapshot, rhs: XDSSnapshot) -> Bool {
        lhs.versions == rhs.versions && lhs.resources == rhs.resources
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(versions) }

    /// One type's resources by name and their version: what a snapshot is made of, reusable
    /// whole from the previous snapshot when nothing of that type changed.
    public struct TypeTable: Sendable {
        public let resources: [String: XDSResource]
        public let version: String

        /// A table of `list`; two resources with one name is an error.
        public init(_ type: TypeURL, _ list: [XDSResource]) throws(SnapshotError) {
            var table: [String: XDSResource] = [:]
            table.reserveCapacity(list.count)
            for resource in list where table.updateValue(resource, forKey: resource.name) != nil {
                throw SnapshotError.duplicate(type: type, name: resource.name)
            }
            resources = table
            version = XDSSnapshot.version(of: list)
        }

        fileprivate init(resources: [String: XDSResource], version: String) {
            self.resources = resources
            self.version = version
        }

        /// This table with `replacements` swapped in, each for the resource of its name, which
        /// must be there (nil otherwise): the version is the one a full rebuild gives, updated by
        /// the replaced pairs only. What one load assignment changing among 10,000 costs.
        public func replacing(_ replacements: [XDSResource]) -> TypeTable? {
            guard !resources.isEmpty, var sum = ContentHash.UnorderedSum(hex: version, count: resources.count) else { return nil }
            var table = resources
            for replacement in replacements {
                guard let old = table.updateValue(replacement, forKey: replacement.name) else { return nil }
                sum.remove(old.name, old.version)
                sum.add(replacement.name, replacement.version)
            }
            return TypeTable(resources: table, version: sum.hex)
        }
    }

    /// The table of one type, to reuse in the next snapshot.
    public func table(of type: TypeURL) -> TypeTable {
        TypeTable(resources: resources(of: type), version: versions[type] ?? XDSSnapshot.version(of: []))
    }

    /// A snapshot of per-type tables (a type without a table is empty).
    public init(tables: [TypeURL: TypeTable]) {
        var resources: [TypeURL: [String: XDSResource]] = [:]
        var versions: [TypeURL: String] = [:]
        for type in TypeURL.allCases {
            let table = tables[type]
            if let table, !table.resources.isEmpty { resources[type] = table.resources }
            versions[type] = table?.version ?? XDSSnapshot.version(of: [])
        }
        self.resources = resources
        self.versions = versions
    }

    /// Builds a snapshot; two resources of one type with one name is an error.
    public init(_ resources: [XDSResource]) throws(SnapshotError) {
        var byType: [TypeURL: [String: XDSResource]] = [:]
        for resource in resources {
            if byType[resource.typeURL]?[resource.name] != nil {
                throw SnapshotError.duplicate(type: resource.typeURL, name: resource.name)
            }
            byType[resource.typeURL, default: [:]][resource.name] = resource
        }
        self.resources = byType
        self.versions = Dictionary(uniqueKeysWithValues: TypeURL.allCases.map { type in
            (type, XDSSnapshot.version(of: byType[type]?.values.map { $0 } ?? []))
        })
    }

    /// The resources of one type.
    public func resources(of type: TypeURL) -> [String: XDSResource] { resources[type] ?? [:] }

    /// The version of a set of resources: an order-independent hash of their names and versions
    /// (no sort, so a 10,000-cluster snapshot is versioned in a pass).
    static func version(of resources: some Collection<XDSResource>) -> String {
        if resources.isEmpty { return "empty" }
        return ContentHash.unorderedHex(resources.lazy.map { ($0.name, $0.version) })
    }

    /// How many resources of each type, for logs and metrics.
    public var counts: [TypeURL: Int] { resources.mapValues(\.count) }
}

/// Why a snapshot cannot be published.
public enum SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    case duplicate(type: TypeURL, name: String)
    /// A resource names another that the snapshot lacks (an EDS cluster without its load
    /// assignment, a listener's route configuration, a TLS context's secret).
    case dangling([DanglingReference])
    /// A payload that does not decode as its type.
    case undecodable(type: TypeURL, name: String, cause: String)

    public var description: String {
        switch self {
        case .duplicate(let type, let name): "two \(type.shortName) resources named '\(name)'"
        case .dangling(let references): references.map(\.description).joined(separator: "; ")
        case .undecodable(let type, let name, let cause): "\(type.shortName) '\(name)' does not decode: \(cause)"
        }
    }
}

/// One resource naming another that is missing.
public struct DanglingReference: Hashable, Sendable, CustomStringConvertible {
    public var from: TypeURL
    public var fromName: String
    public var to: TypeURL
    public var toName: String

    public var description: String {
        "\(from.shortName) '\(fromName)' references \(to.shortName) '\(toName)', which the snapshot lacks"
    }
}
