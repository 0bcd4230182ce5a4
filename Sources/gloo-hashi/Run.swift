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
            gloo-system~gateway-proxy). /healthz, /readyz, /metrics and /debug/* are served on --admin-address.

            Each setting comes from its flag, else the Gloo Settings file (--settings FILE, or --dir DIR with
            --namespace), else the HashiCorp environment (CONSUL_HTTP_ADDR, VAULT_ADDR, NOMAD_ADDR, ...), else its
            default. --print-config shows the result and where each value came from, with secrets masked.
            """
    )

    @Option(help: "A directory that mirrors a Consul KV tree of Gloo resources (Settings: directoryConfigSource.directory).")
    var configDir: String?

    @Option(help: "A Gloo Settings YAML file.")
    var settings: String?

    @Option(help: "Gloo's settings directory: Settings are read from DIR/<namespace>/default.yaml.")
    var dir: String?

    @Option(help: "The namespace of the Settings under --dir, and the one statuses are written under (namespacedStatuses.statuses.<NS>; default gloo-system).")
    var namespace: String?

    @Option(help: "The root key of the tree (Settings: consulKvSource.rootKey; default gloo).")
    var rootKey: String?

    @Option(help: "Where the xDS gRPC server listens, HOST:PORT (Settings: gloo.xdsBindAddr; default 0.0.0.0:9977).")
    var xdsAddress: String?

    @Option(help: "Where the admin HTTP API listens, HOST:PORT (default 127.0.0.1:9091).")
    var adminAddress: String?

    @Option(help: "The Consul agent, http(s)://HOST:PORT (Settings: consul.address; env CONSUL_HTTP_ADDR).")
    var consulAddress: String?

    @Option(help: "A file holding the Consul ACL token (Settings: consul.token; env CONSUL_HTTP_TOKEN, CONSUL_HTTP_TOKEN_FILE).")
    var consulTokenFile: String?

    @Option(help: "The Vault server (Settings: vaultSecretSource.address; env VAULT_ADDR).")
    var vaultAddress: String?

    @Option(help: "A file holding the Vault token, re-read when it changes (Nomad's secrets/vault_token). AppRole: env VAULT_ROLE_ID and VAULT_SECRET_ID.")
    var vaultTokenFile: String?

    @Option(help: "A file holding the Vault AppRole role_id, read at every login (with --vault-secret-id-file).")
    var vaultRoleIdFile: String?

    @Option(help: "A file holding the Vault AppRole secret_id, read at every login (so a rotated secret_id is picked up).")
    var vaultSecretIdFile: String?

    @Option(help: "The Nomad agent (env NOMAD_ADDR).")
    var nomadAddress: String?

    @Flag(help: "Do not discover Consul services as Upstreams (Settings: consul.serviceDiscovery present turns it on).")
    var noDiscovery = false

    @Flag(help: "Send traffic to Consul instances whose worst check is warning too (weighted by their Weights.Warning).")
    var discoveryIncludeWarning = false

    @Option(help: "PEM certificate chain for TLS on the xDS port.")
    var xdsTlsCert: String?

    @Option(help: "PEM private key for TLS on the xDS port.")
    var xdsTlsKey: String?

    @Option(help: "PEM CA bundle: require Envoys to present a client certificate signed by it (mTLS).")
    var xdsClientCa: String?

    @Option(help: "How long a burst of changes may stay quiet before it is translated, in milliseconds (default 20).")
    var debounceMs: Int?

    @Option(help: "The longest a change waits for a burst to end, in milliseconds (default 250).")
    var maxDelayMs: Int?

    @Option(help: "How often the directory is scanned for changes, in milliseconds (default 250).")
    var pollMs: Int?

    @Option(help: "Full resynchronization interval in seconds (Settings: refreshRate; default 60).")
    var refreshSeconds: Int?

    @Flag(help: "Write statuses into the files of --config-dir too (Consul KV values always get them).")
    var writeStatuses = false

    @Option(help: "Leader session TTL in seconds, 10 or more (default 15).")
    var sessionTtlSeconds: Int?

    @Option(help: "How often Vault is asked which secrets changed (a LIST and a metadata read per secret; data only on a new version), in seconds (default 10).")
    var vaultRefreshSeconds: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info).")
    var logLevel: String?

    @Option(help: "Log format: text or json (default text).")
    var logFormat: String?

    @Flag(help: "Print the effective configuration, where each value came from (secrets masked), and exit.")
    var printConfig = false

    var flags: RunFlags {
        var flags = RunFlags()
        flags.configDir = configDir
        flags.settingsFile = settings
        flags.settingsDir = dir
        flags.namespace = namespace
        flags.rootKey = rootKey
        flags.xdsAddress = xdsAddress
        flags.adminAddress = adminAddress
        flags.consulAddress = consulAddress
        flags.consulTokenFile = consulTokenFile
        flags.vaultAddress = vaultAddress
        flags.vaultTokenFile = vaultTokenFile
        flags.vaultRoleIDFile = vaultRoleIdFile
        flags.vaultSecretIDFile = vaultSecretIdFile
        flags.nomadAddress = nomadAddress
        flags.noDiscovery = noDiscovery
        flags.discoveryIncludeWarning = discoveryIncludeWarning
        flags.writeStatuses = writeStatuses
        flags.debounceMs = debounceMs
        flags.maxDelayMs = maxDelayMs
        flags.pollMs = pollMs
        flags.refreshSeconds = refreshSeconds
        flags.sessionTTLSeconds = sessionTtlSeconds
        flags.vaultRefreshSeconds = vaultRefreshSeconds
        flags.logLevel = logLevel
        flags.logFormat = logFormat
        return flags
    }

    func validate() throws {
        if (xdsTlsCert == nil) != (xdsTlsKey == nil) { throw ValidationError("--xds-tls-cert and --xds-tls-key go together") }
        if xdsClientCa != nil && xdsTlsCert == nil { throw ValidationError("--xds-client-ca needs --xds-tls-cert and --xds-tls-key") }
        if settings != nil && dir != nil { throw ValidationError("give --settings FILE or --dir DIR, not both") }
        if let consulTokenFile, !FileManager.default.isReadableFile(atPath: consulTokenFile) {
            throw ValidationError("--consul-token-file: cannot read \(consulTokenFile)")
        }
        for (name, value) in [("--debounce-ms", debounceMs), ("--max-delay-ms", maxDelayMs), ("--poll-ms", pollMs),
                              ("--refresh-seconds", refreshSeconds), ("--session-ttl-seconds", sessionTtlSeconds),
                              ("--vault-refresh-seconds", vaultRefreshSeconds)]
        where (value ?? 1) <= 0 {
            throw ValidationError("\(name) must be positive")
        }
    }

    /// Sets up logging as configured (text or JSON on standard error) and returns the logger.
    static func bootstrapLogging(_ configuration: RunConfiguration) -> Logger {
        let level = configuration.logLevel
        let json = configuration.logFormat == .json
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "gloo-hashi")
    }

    /// The Settings file `flags` name (loaded) and the configuration resolved from flags, it and the environment.
    static func resolve(_ flags: RunFlags) throws -> (EffectiveConfiguration, SettingsFile.Loaded?) {
        let loaded: SettingsFile.Loaded?
        do {
            loaded = try SettingsFile.load(flags)
        } catch {
            throw ValidationError(error.description)
        }
        return (EffectiveConfiguration.resolve(flags: flags, settings: loaded, environment: ProcessInfo.processInfo.environment), loaded)
    }

    func run() async throws {
        let (effective, loaded) = try Self.resolve(flags)
        if printConfig {
            print(effective.printed, terminator: "")
            return
        }
        var configuration = try RunConfiguration(effective)
        if let xdsTlsCert, let xdsTlsKey {
            configuration.xdsSecurity = .tls(certificateChainPath: xdsTlsCert, privateKeyPath: xdsTlsKey, clientCAPath: xdsClientCa)
        }
        let logger = Self.bootstrapLogging(configuration)
        for warning in loaded?.warnings ?? [] { logger.warning("Settings file: \(warning)", metadata: ["file": "\(loaded?.path ?? "")"]) }
        try await GatewayRunner.run(configuration, logger: logger)
    }
}
