import ConsulStore
import GlooAPI
import HashiHTTP
import Logging
import ServiceLifecycle

/// Wires `gloo-hashi discovery`: Consul catalog discovery whose Upstreams the leader writes into
/// Consul KV (Gloo's split deployment); `gloo-hashi run` then reads them like any stored Upstream
/// and keeps watching instances itself. SIGTERM and SIGINT stop it and give up the lock.
public enum DiscoveryRunner {
    public static func run(_ configuration: RunConfiguration, logger: Logger) async throws {
        guard case .consul(let consul) = configuration.source else {
            throw RunConfiguration.Invalid(description: "gloo-hashi discovery writes into Consul KV: give --consul-address (or CONSUL_HTTP_ADDR)")
        }
        let options = configuration.consulDiscovery?.options ?? ConsulDiscoveryOptions()
        let backend = try ResourceBackend.open(configuration, lockName: "discovery-leader", logger: logger)
        guard let client = backend.consulClient else { return }
        let writer = DiscoveryWriter(discovery: ConsulDiscovery(client: client, options: options, logger: logger), store: backend.store,
                                     election: backend.election, namespace: options.namespace, logger: logger)
        logger.info("starting discovery", metadata: [
            "consul": "\(consul.baseURL)", "namespace": "\(options.namespace)",
            "datacenters": "\(options.datacenters.isEmpty ? "the agent's" : options.datacenters.joined(separator: ","))",
        ])
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: writer)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        try await withCleanup({ await backend.shutdown() }) {
            try await ServiceGroup(configuration: groupConfiguration).run()
        }
        logger.info("stopped")
    }
}
