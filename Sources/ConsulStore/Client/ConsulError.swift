import HashiHTTP

/// A Consul request that did not succeed: the HTTP status with Consul's message, or the
/// connection failure. Never carries the token.
public enum ConsulError: Error, Sendable, Hashable, CustomStringConvertible {
    case http(status: Int, method: String, path: String, message: String)
    case unreachable(path: String, cause: ErrorCause)
    case malformed(path: String, cause: ErrorCause)
    case valueTooLarge(key: String, size: Int)

    public var description: String {
        switch self {
        case .http(let status, let method, let path, let message):
            "Consul answered \(status) to \(method) \(path)" + (message.isEmpty ? "" : ": \(message)")
        case .unreachable(let path, let cause): "Consul is unreachable (\(path)): \(cause)"
        case .malformed(let path, let cause): "Consul's answer to \(path) could not be read: \(cause)"
        case .valueTooLarge(let key, let size):
            "the value of \(key) is \(size) bytes; Consul KV takes at most 524288 (512 KiB)"
        }
    }
}
