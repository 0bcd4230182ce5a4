/// What a store operation can fail with.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing is stored under the key.
    case notFound(key: String)
    /// Compare-and-set failed: the stored version is not the one the caller read.
    case conflict(key: String, expected: String, actual: String)
    /// The value is not a valid resource; the findings say why.
    case invalid(key: String, findings: [Finding])
    /// The backend could not be reached or answered with an error.
    case unavailable(backend: String, cause: String)

    public var description: String {
        switch self {
        case .notFound(let key): "\(key): not found"
        case .conflict(let key, let expected, let actual):
            "\(key): conflict: expected version \(expected.isEmpty ? "(none: create)" : expected), stored version is \(actual.isEmpty ? "(none)" : actual)"
        case .invalid(let key, let findings):
            "\(key): invalid: " + findings.map { $0.fieldPath.isEmpty ? $0.reason : "\($0.fieldPath): \($0.reason)" }
                .joined(separator: "; ")
        case .unavailable(let backend, let cause): "\(backend) unavailable: \(cause)"
        }
    }
}
