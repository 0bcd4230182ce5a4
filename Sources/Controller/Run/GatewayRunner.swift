import ConsulStore
import GlooAPI
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
        let store: any ResourceStore
        var consulClient: ConsulHTTPClient?
        let sourceDescription: String
        // Every replica serves xDS; statuses are written by one: the leader (Consul), or this
        // process alone (a directory, with --write-statuses).
        let election: any LeaderElection
        switch configuration.source {
        case .directory(let directory):
            store = DirectoryStore(directory: directory, rootKey: configuration.rootKey, pollInterval: configuration.pollInterval,
                                   observer: metrics)
            sourceDescription = "directory \(directory)"
            election = SoleLeader()
        case .consul(let consul):
            let client = try ConsulHTTPClient(consul)
            consulClient = client
            store = ConsulKVStore(client: client, rootKey: configuration.rootKey, observer: metrics)
            sourceDescription = "consul \(consul.baseURL)"
            election = ConsulLeaderElection(client: client, rootKey: configuration.rootKey, identity: configuration.instanceName,
                                            ttl: configuration.sessionTTL, logger: logger)
            // Not the leader until the election says so.
            metrics.leadership(.follower)
        }
        var discoveries: [any EndpointDiscovery] = []
        var discoveryClient: ConsulHTTPClient?
        if let (clientConfiguration, options) = configuration.consulDiscovery {
            // The store's client when it is the same agent; its own otherwise (--config-dir with Consul discovery).
            let client = try consulClient.flatMap { $0.configuration == clientConfiguration ? $0 : nil } ?? ConsulHTTPClient(clientConfiguration)
            if client !== consulClient { discoveryClient = client }
            discoveries.append(ConsulDiscovery(client: client, options: options, logger: logger))
        }
        var nomadClient: NomadHTTPClient?
        if let (clientConfiguration, namespace) = configuration.nomadDiscovery {
            let client = try NomadHTTPClient(clientConfiguration)
            nomadClient = client
            discoveries.append(NomadDiscovery(client: client, discoveryNamespace: namespace, logger: logger))
        }
        var vaultClient: VaultHTTPClient?
        var secretStore: (any SecretStore)?
        var vaultAuthentication: VaultAuthentication?
        var certificateIssuer: (any CertificateIssuer)?
        if let vault = configuration.vault {
            let client = try VaultHTTPClient(vault.client)
            vaultClient = client
            vaultAuthentication = VaultAuthentication(method: vault.credentials, client: client, logger: logger)
            secretStore = VaultSecretStore(client: client, layout: vault.layout, refresh: vault.refresh)
            certificateIssuer = VaultPKICertificates(client: client, logger: logger)
        }
        let cache = SnapshotCache()
        let state = ControllerState()
        let xds = XDSServer(host: configuration.xdsAddress.host, port: configuration.xdsAddress.port,
                            security: configuration.xdsSecurity, cache: cache)
        let statusWriter = configuration.writeStatuses
            ? StatusWriter(store: store, election: election, reporterNamespace: configuration.statusNamespace,
                           rootKey: configuration.rootKey, logger: logger, metrics: metrics)
            : nil
        let loop = ConfigLoop(
            store: store, cache: cache, state: state, translator: Translator(rootKey: configuration.rootKey),
            quiet: configuration.quiet, maximumDelay: configuration.maximumDelay, logger: logger, metrics: metrics,
            statusWriter: statusWriter, discoveries: discoveries, secretStore: secretStore, certificateIssuer: certificateIssuer)
        let admin = AdminServer.application(address: configuration.adminAddress, state: state, xds: xds, metrics: metrics,
                                            logger: logger)
        logger.info("starting", metadata: [
            "source": "\(sourceDescription)", "xds": "\(configuration.xdsAddress)",
            "admin": "\(configuration.adminAddress)",
            "discovery": "\(discoveries.isEmpty ? "off" : discoveries.map(\.name).joined(separator: ", "))",
            "secrets": "\(configuration.vault.map { "vault \($0.client.baseURL)" } ?? "the configuration tree")",
        ])
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: XDSService(server: xds)),
                .init(service: loop),
                .init(service: admin),
            ] + (statusWriter.map { [.init(service: $0)] } ?? [])
                + (vaultAuthentication.map { [.init(service: VaultAuthenticationService(authentication: $0, logger: logger))] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A drain that takes longer than this is cancelled, so a stop always ends.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            await consulClient?.shutdown()
            await discoveryClient?.shutdown()
            await vaultClient?.shutdown()
            await nomadClient?.shutdown()
            throw error
        }
        await consulClient?.shutdown()
        await discoveryClient?.shutdown()
        await vaultClient?.shutdown()
        await nomadClient?.shutdown()
        logger.info("stopped")
    }
}
