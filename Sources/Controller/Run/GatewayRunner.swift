import GlooAPI
import Logging
import ServiceLifecycle
import Translator
import XDS

/// Wires the services of `gloo-hashi run` into one ServiceGroup: the xDS server, the config
/// loop and the admin API. SIGTERM and SIGINT shut it down gracefully: the watch stops, xDS
/// streams end (Envoys keep their configuration), the admin API closes; within 10 s, else cancelled.
public enum GatewayRunner {
    public static func run(_ configuration: RunConfiguration, logger: Logger) async throws {
        let metrics = GatewayMetrics()
        let store = DirectoryStore(directory: configuration.configDirectory, rootKey: configuration.rootKey,
                                   pollInterval: configuration.pollInterval, observer: metrics)
        let cache = SnapshotCache()
        let state = ControllerState()
        let xds = XDSServer(host: configuration.xdsAddress.host, port: configuration.xdsAddress.port,
                            security: configuration.xdsSecurity, cache: cache)
        let loop = ConfigLoop(
            store: store, cache: cache, state: state, translator: Translator(rootKey: configuration.rootKey),
            quiet: configuration.quiet, maximumDelay: configuration.maximumDelay, logger: logger, metrics: metrics)
        let admin = AdminServer.application(address: configuration.adminAddress, state: state, xds: xds, metrics: metrics,
                                            logger: logger)
        logger.info("starting", metadata: [
            "configDir": "\(configuration.configDirectory)", "xds": "\(configuration.xdsAddress)",
            "admin": "\(configuration.adminAddress)",
        ])
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: XDSService(server: xds)),
                .init(service: loop),
                .init(service: admin),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A drain that takes longer than this is cancelled, so a stop always ends.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        logger.info("stopped")
    }
}
