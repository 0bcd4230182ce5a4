/// How bad a finding is: an error rejects the resource, a warning only reports.
public enum Severity: String, Hashable, Sendable, Comparable, Codable {
    case warning
    case error

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .warning && rhs == .error
    }
}

/// A problem the codec found in one field of a value, before it is tied to a key.
public struct FieldProblem: Error, Hashable, Sendable {
    public var severity: Severity
    /// The field's path in protobuf-JSON names, e.g. `virtualHost.routes[0].matchers[0].prefix`.
    public var fieldPath: String
    public var reason: String

    public init(_ severity: Severity, fieldPath: String, reason: String) {
        self.severity = severity
        self.fieldPath = fieldPath
        self.reason = reason
    }
}

/// Field paths as users write them: `a.b[2].c`, with odd map keys quoted (`labels["a.b"]`).
enum FieldPath {
    static func format(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == String(index) {
                text += "[\(index)]"
            } else if key.stringValue.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            } else {
                text += "[\"\(key.stringValue)\"]"
            }
        }
        return text
    }
}

/// Collects what decoding one value found, shared by every container of that decode.
final class DecodingState {
    var problems: [FieldProblem] = []

    func report(_ severity: Severity, at codingPath: [any CodingKey], _ reason: String) {
        problems.append(FieldProblem(severity, fieldPath: FieldPath.format(codingPath), reason: reason))
    }
}

/// A coding key built at run time (list indices, map keys, unknown fields).
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
