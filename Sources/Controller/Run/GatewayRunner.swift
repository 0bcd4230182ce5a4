import ConsulStore
import GlooAPI
import HashiHTTP
import Logging
import NomadJobs
import ServiceLifecycle
import Translator
import VaultSecrets
import XDS

/// Wires the services of `gloo-hashi run` into one ServiceGroup: the xDS server, the config
/// loop and the admin API. SIGTERM and SIGINT shut it down gracefully: the watch stops, xDS
/// streams end (Envoys keep their configuration), the admin API closes; within 10 s, else cancelled.
public enum GatewayRunner {
    public static func run(_ configuration: RunConfiguration, logger: Logger) async throws {
        let metrics = GatewayMetrics()
        // Every replica serves xDS; statuses are written by one: the leader (Consul), or this
        // process alone (a directory, with --write-statuses).
        let backend = try ResourceBackend.open(configuration, metrics: metrics, logger: logger)
        // Not the leader until the election says so.
        if backend.consulClient != nil { metrics.leadership(.follower) }
        let store = backend.store
        var discoveries: [any EndpointDiscovery] = []
        var discoveryClient: ConsulHTTPClient?
        if let (clientConfiguration, options) = configuration.consulDiscovery {
            // The store's client when it is the same agent; its own otherwise (--config-dir with Consul discovery).
            let client = try backend.consulClient.flatMap { $0.configuration == clientConfiguration ? $0 : nil }
                ?? ConsulHTTPClient(clientConfiguration)
            if client !== backend.consulClient { discoveryClient = client }
            discoveries.append(ConsulDiscovery(client: client, options: options, logger: logger))
        }
        var nomadClient: NomadHTTPClient?
        if let (clientConfiguration, namespace) = configuration.nomadDiscovery {
            let client = try NomadHTTPClient(clientConfiguration)
            nomadClient = client
            discoveries.append(NomadDiscovery(client: client, discoveryNamespace: namespace, logger: logger))
        }
        let vault = try VaultBackend.open(configuration, logger: logger)
        let cache = SnapshotCache()
        let state = ControllerState()
        let xds = XDSServer(host: configuration.xdsAddress.host, port: configuration.xdsAddress.port,
                            security: configuration.xdsSecurity, cache: cache)
        let statusWriter = configuration.writeStatuses
            ? StatusWriter(store: store, election: backend.election, reporterNamespace: configuration.statusNamespace,
                           rootKey: configuration.rootKey, logger: logger, metrics: metrics)
            : nil
        let loop = ConfigLoop(
            store: store, cache: cache, state: state, translator: Translator(rootKey: configuration.rootKey),
            quiet: configuration.quiet, maximumDelay: configuration.maximumDelay, logger: logger, metrics: metrics,
            statusWriter: statusWriter, discoveries: discoveries, secretStore: vault?.secrets, certificateIssuer: vault?.certificates)
        let admin = AdminServer.application(address: configuration.adminAddress, state: state, xds: xds, metrics: metrics,
                                            logger: logger)
        logger.info("starting", metadata: [
            "source": "\(backend.location)", "xds": "\(configuration.xdsAddress)",
            "admin": "\(configuration.adminAddress)",
            "discovery": "\(discoveries.isEmpty ? "off" : discoveries.map(\.name).joined(separator: ", "))",
            "secrets": "\(vault?.location ?? "the configuration tree")",
        ])
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: XDSService(server: xds)),
                .init(service: loop),
                .init(service: admin),
            ] + (statusWriter.map { [.init(service: $0)] } ?? [])
                + (vault.map { [.init(service: VaultAuthenticationService(authentication: $0.authentication, logger: logger))] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A drain that takes longer than this is cancelled, so a stop always ends.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await withCleanup({
            await backend.shutdown()
            await discoveryClient?.shutdown()
            await vault?.shutdown()
            await nomadClient?.shutdown()
        }) {
            try await group.run()
        }
        logger.info("stopped")
    }
}
