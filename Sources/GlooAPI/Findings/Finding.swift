/// One problem with one stored value, as users see it: `<key>: <field path>: <reason>`.
public struct Finding: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var severity: Severity
    /// The Consul key (or the key a file stands for).
    public var key: String
    /// Where in the value; empty when the problem is the value as a whole.
    public var fieldPath: String
    public var reason: String

    public init(_ severity: Severity, key: String, fieldPath: String = "", reason: String) {
        self.severity = severity
        self.key = key
        self.fieldPath = fieldPath
        self.reason = reason
    }

    public init(key: String, _ problem: FieldProblem) {
        self.init(problem.severity, key: key, fieldPath: problem.fieldPath, reason: problem.reason)
    }

    /// `gloo/.../default: virtualHost.routes[0].foo: unknown field 'foo'`.
    public var message: String {
        fieldPath.isEmpty ? "\(key): \(reason)" : "\(key): \(fieldPath): \(reason)"
    }

    /// The message with its severity in front: `error: ...`.
    public var description: String { "\(severity.rawValue): \(message)" }

    public static func < (lhs: Finding, rhs: Finding) -> Bool {
        (lhs.key, lhs.fieldPath, lhs.reason) < (rhs.key, rhs.fieldPath, rhs.reason)
    }
}

extension Array where Element == Finding {
    /// Whether any finding is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
