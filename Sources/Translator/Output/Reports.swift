import GlooAPI

/// What translation says about each resource: accepted, or warnings, or rejected with reasons.
public struct Reports: Hashable, Sendable {
    /// Reports by resource key.
    public private(set) var byKey: [String: ResourceReport] = [:]
    /// Keys with at least one error (kept as errors are added, so lookups by kind stay cheap).
    private var rejected: Set<String> = []
    /// Keys with at least one warning: with `rejected`, every key that is not Accepted.
    private var warned: Set<String> = []

    public init() {}

    /// Notes that `key` was seen (Accepted unless something else is reported).
    mutating func touch(_ key: ResourceKey) {
        let text = key.key
        if byKey[text] == nil { byKey[text] = ResourceReport(key: text, kind: key.kind) }
    }

    mutating func reserveCapacity(_ count: Int) { byKey.reserveCapacity(count) }

    mutating func add(_ finding: Finding) {
        var report = byKey[finding.key] ?? ResourceReport(key: finding.key, kind: (try? ResourceKey.parse(finding.key).get())?.kind)
        let text = finding.fieldPath.isEmpty ? finding.reason : "\(finding.fieldPath): \(finding.reason)"
        switch finding.severity {
        case .error:
            if !report.errors.contains(text) { report.errors.append(text) }
            rejected.insert(finding.key)
        case .warning:
            if !report.warnings.contains(text) { report.warnings.append(text) }
            warned.insert(finding.key)
        }
        byKey[finding.key] = report
    }

    mutating func add(_ severity: Severity, _ key: ResourceKey, _ fieldPath: String, _ reason: String) {
        add(Finding(severity, key: key.key, fieldPath: fieldPath, reason: reason))
    }

    /// Whether the resource at `key` is rejected.
    public func isRejected(_ key: ResourceKey) -> Bool { !(byKey[key.key]?.errors.isEmpty ?? true) }

    /// Keys of the rejected resources of `kind`.
    func rejectedKeys(of kind: ResourceKind) -> Set<String> {
        let prefix = "/\(kind.keySegment)/"
        return rejected.filter { $0.contains(prefix) }
    }

    /// References of the rejected resources of `kind` (a key ends in `<namespace>/<name>`).
    func rejectedRefs(of kind: ResourceKind) -> Set<ResourceRef> {
        var refs: Set<ResourceRef> = []
        for key in rejectedKeys(of: kind) {
            let parts = key.split(separator: "/")
            guard parts.count >= 2 else { continue }
            refs.insert(ResourceRef(name: String(parts[parts.count - 1]), namespace: String(parts[parts.count - 2])))
        }
        return refs
    }

    /// Rejected and warned resources only, sorted by key.
    public var problems: [ResourceReport] {
        rejected.union(warned).compactMap { byKey[$0] }.sorted { $0.key < $1.key }
    }
}

/// The report of one resource.
public struct ResourceReport: Hashable, Sendable {
    public var key: String
    /// Nil for keys that do not parse (they have no kind).
    public var kind: ResourceKind?
    public var errors: [String] = []
    public var warnings: [String] = []

    public var state: Status.State {
        if !errors.isEmpty { return .rejected }
        return warnings.isEmpty ? .accepted : .warning
    }

    /// The status text Gloo would write: errors first, then warnings.
    public var reason: String { (errors + warnings).joined(separator: "; ") }
}
