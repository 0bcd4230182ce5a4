/// A Gloo resource kind that lives in the store: a value type with metadata and statuses.
public protocol Resource: Codable, Hashable, Sendable {
    /// The kind's group, version, name and key layout.
    static var kind: ResourceKind { get }
    var metadata: Metadata { get set }
    var namespacedStatuses: NamespacedStatuses { get set }
    /// Problems the codec cannot see field by field (settings that conflict, values out of range).
    func semanticProblems() -> [FieldProblem]
}

extension Resource {
    public func semanticProblems() -> [FieldProblem] { [] }

    /// The `namespace/name` reference to this resource.
    public var ref: ResourceRef { metadata.ref }

    /// This resource without its `resourceVersion` and statuses: what a user configured.
    public func withoutStoreState() -> Self {
        var copy = self
        copy.metadata.resourceVersion = ""
        copy.namespacedStatuses = NamespacedStatuses()
        return copy
    }
}
