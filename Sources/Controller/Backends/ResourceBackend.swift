import ConsulStore
import GlooAPI
import Logging

/// The resource store a configuration names, opened the same way for `run`, `discovery` and the
/// operator commands; each kind of store is opened by its own file (`+Directory`, `+Consul`).
struct ResourceBackend: Sendable {
    let store: any ResourceStore
    /// Who may write statuses: the holder of a Consul lock, or this process alone (a directory).
    let election: any LeaderElection
    /// `consul http://...` or `directory DIR`, for logs and messages.
    let location: String
    /// The Consul client when the store is Consul KV (Consul discovery reuses it for the same agent).
    let consulClient: ConsulHTTPClient?

    /// Opens the store of `configuration.source`; `metrics` observes its reads when given.
    static func open(_ configuration: RunConfiguration, lockName: String = "leader", metrics: GatewayMetrics? = nil, logger: Logger)
        throws -> ResourceBackend
    {
        switch configuration.source {
        case .directory(let directory): directoryBackend(directory, configuration, metrics: metrics)
        case .consul(let settings): try consulBackend(settings, configuration, lockName: lockName, metrics: metrics, logger: logger)
        }
    }

    /// Closes what opening it connected.
    func shutdown() async { await consulClient?.shutdown() }
}
