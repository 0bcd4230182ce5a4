/// Why a request to Consul, Vault or Nomad failed: a message for people and, when it came from
/// one, the error itself (a caller can still ask `cause.error as? HTTPClientError`). Two causes
/// are equal when their messages are. Never built from anything carrying a token.
public struct ErrorCause: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public let message: String
    public let error: (any Error)?

    /// `error`, described after `context` when given ("reading the answer: ...").
    public init(_ error: any Error, context: String? = nil) {
        self.message = context.map { "\($0): \(error)" } ?? "\(error)"
        self.error = error
    }

    /// `error` with a message of the caller's own.
    public init(_ message: String, error: any Error) {
        self.message = message
        self.error = error
    }

    public init(stringLiteral message: String) {
        self.message = message
        self.error = nil
    }

    public init(stringInterpolation: DefaultStringInterpolation) {
        self.init(stringLiteral: String(stringInterpolation: stringInterpolation))
    }

    public var description: String { message }

    public static func == (lhs: ErrorCause, rhs: ErrorCause) -> Bool { lhs.message == rhs.message }
    public func hash(into hasher: inout Hasher) { hasher.combine(message) }
}
