import ArgumentParser
import Controller
import Foundation
import GlooAPI
import Logging

/// `gloo-hashi discovery`: Consul discovery as its own process, writing discovered Upstreams into Consul KV.
struct Discovery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Discover Consul services and write them into Consul KV as Upstreams (Gloo's split deployment).",
        discussion: """
            Every service in the catalog of each configured datacenter becomes an Upstream in the discovery namespace
            (Settings: discoveryNamespace, default gloo-system), labelled discovered_by: consulplugin, like Gloo's
            discovery pod. Several replicas may run: the one holding <root>/.control/discovery-leader writes. Writes are
            compare-and-set, an unchanged Upstream is not written, one whose service is gone is deleted, and Upstreams
            without the label are never touched. gloo-hashi run reads them like any stored Upstream and still watches
            instances itself.

            Example:
              gloo-hashi discovery --consul-address 127.0.0.1:8500 --settings settings.yaml
            """
    )

    @Option(help: "The Consul agent, http(s)://HOST:PORT (Settings: consul.address; env CONSUL_HTTP_ADDR).")
    var consulAddress: String?

    @Option(help: "A file holding the Consul ACL token (Settings: consul.token; env CONSUL_HTTP_TOKEN, CONSUL_HTTP_TOKEN_FILE).")
    var consulTokenFile: String?

    @Option(help: "A Gloo Settings YAML file (consul.serviceDiscovery.dataCenters, consulDiscovery, discoveryNamespace).")
    var settings: String?

    @Option(help: "Gloo's settings directory: Settings are read from DIR/<namespace>/default.yaml.")
    var dir: String?

    @Option(help: "The namespace of the Settings under --dir (default gloo-system).")
    var namespace: String?

    @Option(help: "The root key of the tree (Settings: consulKvSource.rootKey; default gloo).")
    var rootKey: String?

    @Option(help: "Leader session TTL in seconds, 10 or more (default 15).")
    var sessionTtlSeconds: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info).")
    var logLevel: String?

    @Option(help: "Log format: text or json (default text).")
    var logFormat: String?

    func run() async throws {
        var flags = RunFlags()
        flags.consulAddress = consulAddress
        flags.consulTokenFile = consulTokenFile
        flags.settingsFile = settings
        flags.settingsDir = dir
        flags.namespace = namespace
        flags.rootKey = rootKey
        flags.sessionTTLSeconds = sessionTtlSeconds
        flags.logLevel = logLevel
        flags.logFormat = logFormat
        var (effective, loaded) = try Run.resolve(flags)
        effective.configDirectory = Sourced(nil, .default)
        let configuration = try RunConfiguration(effective, forceDiscovery: true)
        let logger = Run.bootstrapLogging(configuration)
        for warning in loaded?.warnings ?? [] { logger.warning("Settings file: \(warning)", metadata: ["file": "\(loaded?.path ?? "")"]) }
        try await DiscoveryRunner.run(configuration, logger: logger)
    }
}
