import Foundation
import GlooAPI

/// Everything `gloo-hashi run` is configured with, each value with where it came from:
/// flags, then the Gloo Settings file, then `CONSUL_*` / `VAULT_*` / `NOMAD_*`, then defaults
/// (ARCHITECTURE.md). `--print-config` shows it with secrets masked.
public struct EffectiveConfiguration: Sendable, Equatable {
    // Sources.
    public var configDirectory: Sourced<String?>
    public var rootKey: Sourced<String>
    public var settingsFile: String?
    public var discoveryNamespace: Sourced<String>
    public var discoveryEnabled: Sourced<Bool>
    public var discoveryDatacenters: Sourced<[String]>
    /// Whether Consul instances whose worst check is `warning` get traffic.
    public var discoveryIncludeWarning: Sourced<Bool>
    /// How often instance hostnames are resolved again.
    public var discoveryHostnameRefresh: Sourced<Duration>
    /// Gloo's `consulDiscovery` Settings: TLS tagging, split TLS services, the tag allowlist.
    public var consulDiscovery: ConsulDiscoveryConfiguration?
    /// The namespace statuses are written under (`namespacedStatuses.statuses.<namespace>`).
    public var statusNamespace: Sourced<String>
    /// Whether the directory backend's files get statuses written into them.
    public var writeStatuses: Sourced<Bool>

    // Consul.
    public var consulAddress: Sourced<String?>
    public var consulToken: Sourced<SensitiveString>
    public var consulDatacenter: Sourced<String?>
    public var consulCACert: Sourced<String?>
    public var consulClientCert: Sourced<String?>
    public var consulClientKey: Sourced<String?>
    public var consulTLSServerName: Sourced<String?>
    public var consulInsecureSkipVerify: Sourced<Bool>
    /// `host:port` addresses mean https (`CONSUL_HTTP_SSL`).
    public var consulSSL: Sourced<Bool>
    public var consulWaitTime: Sourced<Duration>

    // Vault.
    public var vaultAddress: Sourced<String?>
    public var vaultToken: Sourced<SensitiveString>
    public var vaultTokenFile: Sourced<String?>
    /// Files holding the AppRole role_id and secret_id, read at every login.
    public var vaultRoleIDFile: Sourced<String?>
    public var vaultSecretIDFile: Sourced<String?>
    /// AppRole credentials (gloo-hashi's addition to Gloo's token and AWS methods).
    public var vaultRoleID: Sourced<SensitiveString>
    public var vaultSecretID: Sourced<SensitiveString>
    public var vaultNamespace: Sourced<String?>
    public var vaultCACert: Sourced<String?>
    public var vaultCAPath: Sourced<String?>
    public var vaultClientCert: Sourced<String?>
    public var vaultClientKey: Sourced<String?>
    public var vaultTLSServerName: Sourced<String?>
    public var vaultSkipVerify: Sourced<Bool>
    public var vaultRootKey: Sourced<String>
    public var vaultPathPrefix: Sourced<String>
    public var vaultRefreshInterval: Sourced<Duration>

    // Nomad.
    public var nomadAddress: Sourced<String?>
    public var nomadToken: Sourced<SensitiveString>
    public var nomadRegion: Sourced<String?>
    public var nomadNamespace: Sourced<String?>
    public var nomadCACert: Sourced<String?>

    // Serving and the loop.
    public var xdsAddress: Sourced<String>
    public var adminAddress: Sourced<String>
    public var debounce: Sourced<Duration>
    public var maximumDelay: Sourced<Duration>
    public var pollInterval: Sourced<Duration>
    public var refreshRate: Sourced<Duration>
    public var sessionTTL: Sourced<Duration>
    public var logLevel: Sourced<String>
    public var logFormat: Sourced<String>

    /// Resolves the configuration from the flags, the Settings file they name (already loaded)
    /// and the environment.
    public static func resolve(
        flags: RunFlags, settings loaded: SettingsFile.Loaded?, environment: [String: String]
    ) -> EffectiveConfiguration {
        let settings = loaded?.settings
        let env = { (name: String) -> (ConfigOrigin, String, String?) in (.environment, name, environment[name].nonEmpty) }
        let fromSettings = { (field: String, value: String?) -> (ConfigOrigin, String, String?) in (.settings, field, value.nonEmpty) }
        let flag = { (name: String, value: String?) -> (ConfigOrigin, String, String?) in (.flag, name, value) }

        let vault: VaultSecretSource? = if case .vaultSecretSource(let vault)? = settings?.secretSource { vault } else { nil }
        let consul = settings?.consul
        let directorySource: String? = if case .directoryConfigSource(let source)? = settings?.configSource { source.directory } else { nil }
        let kvRootKey: String? = if case .consulKvSource(let source)? = settings?.configSource { source.rootKey } else { nil }
        let vaultToken: String? = if case .accessToken(let token)? = vault?.authMethod { token.revealed } else { vault?.token.revealed }

        let consulAddress = Sourced<String?>.first([
            flag("--consul-address", flags.consulAddress),
            fromSettings("consul.address", consul?.address), fromSettings("consul.httpAddress", consul?.httpAddress),
            env("CONSUL_HTTP_ADDR"),
        ].map(optional), default: nil)
        let discoveryFromSettings: Bool? = settings.map { $0.consul?.serviceDiscovery != nil }

        return EffectiveConfiguration(
            configDirectory: .first([
                flag("--config-dir", flags.configDir), fromSettings("directoryConfigSource.directory", directorySource),
            ].map(optional), default: nil),
            rootKey: .first([flag("--root-key", flags.rootKey), fromSettings("consulKvSource.rootKey", kvRootKey)],
                            default: ResourceKey.defaultRootKey),
            settingsFile: loaded?.path,
            discoveryNamespace: .first([fromSettings("discoveryNamespace", settings?.discoveryNamespace)], default: "gloo-system"),
            discoveryEnabled: .first([
                (.flag, "--no-discovery", flags.noDiscovery ? false : nil),
                (.settings, "consul.serviceDiscovery", discoveryFromSettings),
            ], default: consulAddress.value != nil),
            discoveryDatacenters: .first([
                (.settings, "consul.serviceDiscovery.dataCenters", consul?.serviceDiscovery?.dataCenters.nonEmpty),
            ], default: []),
            discoveryIncludeWarning: .first([(.flag, "--discovery-include-warning", flags.discoveryIncludeWarning ? true : nil)],
                                            default: false),
            discoveryHostnameRefresh: .first([(.settings, "consul.dnsPollingInterval", consul?.dnsPollingInterval.map(duration))],
                                             default: .seconds(5)),
            consulDiscovery: settings?.consulDiscovery,
            statusNamespace: .first([
                flag("--namespace", flags.namespace), fromSettings("metadata.namespace", loaded.map { $0.settings.metadata.namespace }),
            ], default: "gloo-system"),
            writeStatuses: .first([(.flag, "--write-statuses", flags.writeStatuses ? true : nil)], default: false),
            consulAddress: consulAddress,
            consulToken: .first([
                (.flag, "--consul-token-file", flags.consulTokenFile.flatMap(readToken)),
                (.settings, "consul.token", (consul?.token).nonEmpty), (.environment, "CONSUL_HTTP_TOKEN", environment["CONSUL_HTTP_TOKEN"].nonEmpty.map { SensitiveString($0) }),
                (.environment, "CONSUL_HTTP_TOKEN_FILE", environment["CONSUL_HTTP_TOKEN_FILE"].nonEmpty.flatMap(readToken)),
            ], default: SensitiveString("")),
            consulDatacenter: .first([fromSettings("consul.datacenter", consul?.datacenter)].map(optional), default: nil),
            consulCACert: .first([fromSettings("consul.caFile", consul?.caFile), env("CONSUL_CACERT")].map(optional), default: nil),
            consulClientCert: .first([fromSettings("consul.certFile", consul?.certFile), env("CONSUL_CLIENT_CERT")].map(optional),
                                     default: nil),
            consulClientKey: .first([fromSettings("consul.keyFile", consul?.keyFile), env("CONSUL_CLIENT_KEY")].map(optional),
                                    default: nil),
            consulTLSServerName: .first([env("CONSUL_TLS_SERVER_NAME")].map(optional), default: nil),
            consulInsecureSkipVerify: .first([
                (.settings, "consul.insecureSkipVerify", consul?.insecureSkipVerify),
                (.environment, "CONSUL_HTTP_SSL_VERIFY", environment["CONSUL_HTTP_SSL_VERIFY"].flatMap(bool).map { !$0 }),
            ], default: false),
            consulSSL: .first([
                (.environment, "CONSUL_HTTP_SSL", environment["CONSUL_HTTP_SSL"].flatMap(bool)),
            ], default: false),
            consulWaitTime: .first([(.settings, "consul.waitTime", consul?.waitTime.map(duration))], default: .seconds(300)),
            vaultAddress: .first([
                flag("--vault-address", flags.vaultAddress), fromSettings("vaultSecretSource.address", vault?.address), env("VAULT_ADDR"),
            ].map(optional), default: nil),
            vaultToken: .first([
                (.settings, "vaultSecretSource.accessToken", vaultToken.nonEmpty.map { SensitiveString($0) }),
                (.environment, "VAULT_TOKEN", environment["VAULT_TOKEN"].nonEmpty.map { SensitiveString($0) }),
            ], default: SensitiveString("")),
            vaultTokenFile: .first([flag("--vault-token-file", flags.vaultTokenFile)].map(optional), default: nil),
            vaultRoleIDFile: .first([flag("--vault-role-id-file", flags.vaultRoleIDFile)].map(optional), default: nil),
            vaultSecretIDFile: .first([flag("--vault-secret-id-file", flags.vaultSecretIDFile)].map(optional), default: nil),
            vaultRoleID: .first([(.environment, "VAULT_ROLE_ID", environment["VAULT_ROLE_ID"].nonEmpty.map { SensitiveString($0) })],
                                default: SensitiveString("")),
            vaultSecretID: .first([(.environment, "VAULT_SECRET_ID", environment["VAULT_SECRET_ID"].nonEmpty.map { SensitiveString($0) })],
                                  default: SensitiveString("")),
            vaultNamespace: .first([env("VAULT_NAMESPACE")].map(optional), default: nil),
            vaultCACert: .first([
                fromSettings("vaultSecretSource.tlsConfig.caCert", vault?.tlsConfig?.caCert), fromSettings("vaultSecretSource.caCert", vault?.caCert),
                env("VAULT_CACERT"),
            ].map(optional), default: nil),
            vaultCAPath: .first([
                fromSettings("vaultSecretSource.tlsConfig.caPath", vault?.tlsConfig?.caPath), fromSettings("vaultSecretSource.caPath", vault?.caPath),
                env("VAULT_CAPATH"),
            ].map(optional), default: nil),
            vaultClientCert: .first([
                fromSettings("vaultSecretSource.tlsConfig.clientCert", vault?.tlsConfig?.clientCert),
                fromSettings("vaultSecretSource.clientCert", vault?.clientCert), env("VAULT_CLIENT_CERT"),
            ].map(optional), default: nil),
            vaultClientKey: .first([
                fromSettings("vaultSecretSource.tlsConfig.clientKey", vault?.tlsConfig?.clientKey),
                fromSettings("vaultSecretSource.clientKey", vault?.clientKey), env("VAULT_CLIENT_KEY"),
            ].map(optional), default: nil),
            vaultTLSServerName: .first([
                fromSettings("vaultSecretSource.tlsConfig.tlsServerName", vault?.tlsConfig?.tlsServerName),
                fromSettings("vaultSecretSource.tlsServerName", vault?.tlsServerName), env("VAULT_TLS_SERVER_NAME"),
            ].map(optional), default: nil),
            vaultSkipVerify: .first([
                (.settings, "vaultSecretSource.tlsConfig.insecure", vault?.tlsConfig?.insecure),
                (.settings, "vaultSecretSource.insecure", vault?.insecure),
                (.environment, "VAULT_SKIP_VERIFY", environment["VAULT_SKIP_VERIFY"].flatMap(bool)),
            ], default: false),
            vaultRootKey: .first([fromSettings("vaultSecretSource.rootKey", vault?.rootKey)], default: ResourceKey.defaultRootKey),
            vaultPathPrefix: .first([fromSettings("vaultSecretSource.pathPrefix", vault?.pathPrefix)], default: "secret"),
            vaultRefreshInterval: .first([(.flag, "--vault-refresh-seconds", flags.vaultRefreshSeconds.map { Duration.seconds($0) })],
                                         default: .seconds(10)),
            nomadAddress: .first([flag("--nomad-address", flags.nomadAddress), env("NOMAD_ADDR")].map(optional), default: nil),
            nomadToken: .first([(.environment, "NOMAD_TOKEN", environment["NOMAD_TOKEN"].nonEmpty.map { SensitiveString($0) })],
                               default: SensitiveString("")),
            nomadRegion: .first([env("NOMAD_REGION")].map(optional), default: nil),
            nomadNamespace: .first([env("NOMAD_NAMESPACE")].map(optional), default: nil),
            nomadCACert: .first([env("NOMAD_CACERT")].map(optional), default: nil),
            xdsAddress: .first([flag("--xds-address", flags.xdsAddress), fromSettings("gloo.xdsBindAddr", settings?.gloo?.xdsBindAddr)],
                               default: "0.0.0.0:9977"),
            adminAddress: .first([flag("--admin-address", flags.adminAddress)], default: "127.0.0.1:9091"),
            debounce: .first([(.flag, "--debounce-ms", flags.debounceMs.map { Duration.milliseconds($0) })], default: .milliseconds(20)),
            maximumDelay: .first([(.flag, "--max-delay-ms", flags.maxDelayMs.map { Duration.milliseconds($0) })],
                                 default: .milliseconds(250)),
            pollInterval: .first([(.flag, "--poll-ms", flags.pollMs.map { Duration.milliseconds($0) })], default: .milliseconds(250)),
            refreshRate: .first([
                (.flag, "--refresh-seconds", flags.refreshSeconds.map { Duration.seconds($0) }),
                (.settings, "refreshRate", settings?.refreshRate.map(duration)),
            ], default: .seconds(60)),
            sessionTTL: .first([(.flag, "--session-ttl-seconds", flags.sessionTTLSeconds.map { Duration.seconds($0) })],
                               default: .seconds(15)),
            logLevel: .first([flag("--log-level", flags.logLevel)], default: "info"),
            logFormat: .first([flag("--log-format", flags.logFormat)], default: "text"))
    }

    private static func optional(_ candidate: (ConfigOrigin, String, String?)) -> (ConfigOrigin, String, String??) {
        (candidate.0, candidate.1, candidate.2.map(Optional.some))
    }

    private static func duration(_ value: ProtoDuration) -> Duration {
        .seconds(value.seconds) + .nanoseconds(Int64(value.nanos))
    }

    private static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }

    /// The token in `path` (trimmed); nil when it cannot be read.
    private static func readToken(_ path: String) -> SensitiveString? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : SensitiveString(token)
    }
}

extension Optional where Wrapped == String {
    /// Nil for nil and for the empty string (Gloo's proto defaults).
    var nonEmpty: String? { self.flatMap { $0.isEmpty ? nil : $0 } }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

extension Optional where Wrapped == SensitiveString {
    var nonEmpty: SensitiveString? { self.flatMap { $0.revealed.isEmpty ? nil : $0 } }
}

extension Array {
    var nonEmpty: [Element]? { isEmpty ? nil : self }
}
