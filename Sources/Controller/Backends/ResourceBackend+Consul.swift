import ConsulStore
import GlooAPI
import Logging

extension ResourceBackend {
    /// Consul KV: watched with blocking queries; statuses are written by the holder of the
    /// `lockName` lock under `<root>/.control/`.
    static func consulBackend(
        _ settings: ConsulClientConfiguration, _ configuration: RunConfiguration, lockName: String, metrics: GatewayMetrics?, logger: Logger
    ) throws -> ResourceBackend {
        let client = try ConsulHTTPClient(settings)
        let store = ConsulKVStore(client: client, rootKey: configuration.rootKey, observer: metrics)
        let election = ConsulLeaderElection(client: client, rootKey: configuration.rootKey, identity: configuration.instanceName,
                                            ttl: configuration.sessionTTL, lockName: lockName, logger: logger)
        return ResourceBackend(store: store, election: election, location: "consul \(settings.baseURL)", consulClient: client)
    }
}
