import HashiHTTP

/// A Vault request that did not succeed, with Vault's own messages (`{"errors": [...]}`). Never
/// carries the token: a 403 names the path and says the token's policies refused it.
public enum VaultError: Error, Sendable, Hashable, CustomStringConvertible {
    case http(status: Int, method: String, path: String, errors: [String])
    case forbidden(method: String, path: String, errors: [String])
    case sealed(path: String)
    case unreachable(path: String, cause: ErrorCause)
    case malformed(path: String, cause: ErrorCause)

    public var description: String {
        switch self {
        case .http(let status, let method, let path, let errors):
            "Vault answered \(status) to \(method) \(path)" + (errors.isEmpty ? "" : ": \(errors.joined(separator: "; "))")
        case .forbidden(let method, let path, let errors):
            "Vault refused \(method) \(path): the token is missing, expired, or its policies do not allow this path"
                + (errors.isEmpty ? "" : " (\(errors.joined(separator: "; ")))")
        case .sealed(let path): "Vault is sealed (\(path)); it answers again once unsealed"
        case .unreachable(let path, let cause): "Vault is unreachable (\(path)): \(cause)"
        case .malformed(let path, let cause): "Vault's answer to \(path) could not be read: \(cause)"
        }
    }

    /// Whether trying again later may succeed (sealed, rate-limited, a server error, unreachable).
    public var isTransient: Bool {
        switch self {
        case .sealed, .unreachable: true
        case .http(let status, _, _, _): status == 429 || status >= 500
        case .forbidden, .malformed: false
        }
    }
}
