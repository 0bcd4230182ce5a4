import ArgumentParser
import Controller
import Foundation
import GlooAPI
import Logging
import XDS

/// `gloo-hashi run`: serve Gloo configuration to Envoy over xDS.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the control plane: watch the configuration, translate it, serve it to Envoy over xDS.",
        discussion: """
            With --config-dir DIR, DIR mirrors a Consul KV tree (DIR/gloo/<group>/<version>/<Kind>/<namespace>/<name>.yaml).
            Envoys connect to --xds-address and are grouped by node.metadata.role (<namespace>~<proxy>, e.g.
            gloo-system~gateway-proxy). /healthz and /readyz are served on --admin-address.
            """
    )

    @Option(help: "A directory that mirrors a Consul KV tree of Gloo resources.")
    var configDir: String

    @Option(help: "Where the xDS gRPC server listens (HOST:PORT).")
    var xdsAddress = "0.0.0.0:9977"

    @Option(help: "Where the admin HTTP API listens (HOST:PORT).")
    var adminAddress = "127.0.0.1:9091"

    @Option(help: "The root key of the tree.")
    var rootKey = ResourceKey.defaultRootKey

    @Option(help: "PEM certificate chain for TLS on the xDS port.")
    var xdsTlsCert: String?

    @Option(help: "PEM private key for TLS on the xDS port.")
    var xdsTlsKey: String?

    @Option(help: "PEM CA bundle: require Envoys to present a client certificate signed by it (mTLS).")
    var xdsClientCa: String?

    @Option(help: "How long a burst of changes may stay quiet before it is translated, in milliseconds.")
    var debounceMs = 20

    @Option(help: "The longest a change waits for a burst to end, in milliseconds.")
    var maxDelayMs = 250

    @Option(help: "How often the directory is scanned for changes, in milliseconds.")
    var pollMs = 250

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard HostPort(xdsAddress) != nil else { throw ValidationError("--xds-address must be HOST:PORT, got '\(xdsAddress)'") }
        guard HostPort(adminAddress) != nil else { throw ValidationError("--admin-address must be HOST:PORT, got '\(adminAddress)'") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        if (xdsTlsCert == nil) != (xdsTlsKey == nil) { throw ValidationError("--xds-tls-cert and --xds-tls-key go together") }
        if xdsClientCa != nil && xdsTlsCert == nil { throw ValidationError("--xds-client-ca needs --xds-tls-cert and --xds-tls-key") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: configDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--config-dir '\(configDir)' is not a directory")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = RunConfiguration(configDirectory: configDir)
        configuration.rootKey = rootKey
        configuration.xdsAddress = HostPort(xdsAddress)!
        configuration.adminAddress = HostPort(adminAddress)!
        configuration.quiet = .milliseconds(debounceMs)
        configuration.maximumDelay = .milliseconds(maxDelayMs)
        configuration.pollInterval = .milliseconds(pollMs)
        if let xdsTlsCert, let xdsTlsKey {
            configuration.xdsSecurity = .tls(certificateChainPath: xdsTlsCert, privateKeyPath: xdsTlsKey, clientCAPath: xdsClientCa)
        }
        try await GatewayRunner.run(configuration, logger: Logger(label: "gloo-hashi"))
    }
}
