import HashiHTTP

/// A Nomad request that did not succeed, with Nomad's own message (a plain-text body). Never
/// carries the token: a 403 names the path and says the token's policy refused it.
public enum NomadError: Error, Sendable, Hashable, CustomStringConvertible {
    case http(status: Int, method: String, path: String, message: String)
    case forbidden(method: String, path: String, message: String)
    case unreachable(path: String, cause: ErrorCause)
    case malformed(path: String, cause: ErrorCause)

    public var description: String {
        switch self {
        case .http(let status, let method, let path, let message):
            "Nomad answered \(status) to \(method) \(path)" + (message.isEmpty ? "" : ": \(message)")
        case .forbidden(let method, let path, let message):
            "Nomad refused \(method) \(path): the token (NOMAD_TOKEN) is missing, unknown, or its policy does not allow this"
                + (message.isEmpty ? "" : " (\(message))")
        case .unreachable(let path, let cause): "Nomad is unreachable (\(path)): \(cause)"
        case .malformed(let path, let cause): "Nomad's answer to \(path) could not be read: \(cause)"
        }
    }
}
