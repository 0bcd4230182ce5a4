import GlooAPI
import Logging
import ServiceLifecycle
import Translator
import XDS

/// What `gloo-hashi run` needs to start.
public struct RunConfiguration: Sendable {
    public var configDirectory: String
    public var rootKey = ResourceKey.defaultRootKey
    public var xdsAddress = HostPort(host: "0.0.0.0", port: 9977)
    public var xdsSecurity = XDSTransportSecurity.plaintext
    public var adminAddress = HostPort(host: "127.0.0.1", port: 9091)
    public var pollInterval: Duration = .milliseconds(250)
    public var quiet: Duration = .milliseconds(20)
    public var maximumDelay: Duration = .milliseconds(250)

    public init(configDirectory: String) { self.configDirectory = configDirectory }
}

/// Wires the services of `gloo-hashi run` into one ServiceGroup: the xDS server, the config
/// loop and the admin API. SIGTERM and SIGINT shut it down gracefully.
public enum GatewayRunner {
    public static func run(_ configuration: RunConfiguration, logger: Logger) async throws {
        let store = DirectoryStore(directory: configuration.configDirectory, rootKey: configuration.rootKey,
                                   pollInterval: configuration.pollInterval)
        let cache = SnapshotCache()
        let state = ControllerState()
        let xds = XDSServer(host: configuration.xdsAddress.host, port: configuration.xdsAddress.port,
                            security: configuration.xdsSecurity, cache: cache)
        let loop = ConfigLoop(
            store: store, cache: cache, state: state, translator: Translator(rootKey: configuration.rootKey),
            quiet: configuration.quiet, maximumDelay: configuration.maximumDelay, logger: logger)
        let admin = AdminServer.application(address: configuration.adminAddress, state: state, xds: xds, logger: logger)
        logger.info("starting", metadata: [
            "configDir": "\(configuration.configDirectory)", "xds": "\(configuration.xdsAddress)",
            "admin": "\(configuration.adminAddress)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: XDSService(server: xds)),
                .init(service: loop),
                .init(service: admin),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
