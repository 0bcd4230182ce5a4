/// One request a backend made (a directory scan, a Consul or Vault HTTP call): what, how long,
/// and whether it failed. Backends report them; the controller turns them into metrics.
public struct BackendRequest: Sendable, Hashable {
    /// `directory`, `consul`, `vault`, `nomad`.
    public var backend: String
    /// `scan`, `kv-list`, `kv-cas`, `read-secret`, ...
    public var operation: String
    public var duration: Duration
    public var failed: Bool

    public init(backend: String, operation: String, duration: Duration, failed: Bool) {
        self.backend = backend
        self.operation = operation
        self.duration = duration
        self.failed = failed
    }
}

/// Receives every request a backend makes.
public protocol BackendRequestObserver: Sendable {
    func observe(_ request: BackendRequest)
}
