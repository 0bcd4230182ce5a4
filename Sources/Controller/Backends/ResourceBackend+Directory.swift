import ConsulStore
import GlooAPI

extension ResourceBackend {
    /// A directory of YAML files: polled, and this process is the only one writing statuses.
    static func directoryBackend(_ directory: String, _ configuration: RunConfiguration, metrics: GatewayMetrics?) -> ResourceBackend {
        ResourceBackend(
            store: DirectoryStore(directory: directory, rootKey: configuration.rootKey, pollInterval: configuration.pollInterval,
                                  observer: metrics),
            election: SoleLeader(), location: "directory \(directory)", consulClient: nil)
    }
}
