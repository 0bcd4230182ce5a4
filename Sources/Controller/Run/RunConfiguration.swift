import ConsulStore
import Foundation
import HashiHTTP
import NomadJobs
import VaultSecrets
import GlooAPI
import Logging
import XDS

/// What `gloo-hashi run` needs to start, checked: built from the effective configuration.
public struct RunConfiguration: Sendable {
    public enum LogFormat: String, Sendable { case text, json }

    /// Where Gloo resources are read from: a directory (wins when both are given) or Consul KV.
    public enum Source: Sendable {
        case directory(String)
        case consul(ConsulClientConfiguration)
    }

    public var source: Source
    public var rootKey = ResourceKey.defaultRootKey
    public var xdsAddress = HostPort(host: "0.0.0.0", port: 9977)
    public var xdsSecurity = XDSTransportSecurity.plaintext
    public var adminAddress = HostPort(host: "127.0.0.1", port: 9091)
    public var pollInterval: Duration = .milliseconds(250)
    public var quiet: Duration = .milliseconds(20)
    public var maximumDelay: Duration = .milliseconds(250)
    public var logLevel = Logger.Level.info
    public var logFormat = LogFormat.text
    /// Statuses go under `namespacedStatuses.statuses.<statusNamespace>`.
    public var statusNamespace = "gloo-system"
    /// Whether statuses are written back (always for Consul KV; with `--write-statuses` for a directory).
    public var writeStatuses = false
    public var sessionTTL: Duration = .seconds(15)
    /// Secrets from Vault: the server, the token, Gloo's layout and how often to look (nil: not configured).
    public var vault: (client: VaultClientConfiguration, credentials: VaultCredentials, layout: GlooVaultLayout, refresh: Duration)?
    /// Consul service discovery: the agent it asks and how services become Upstreams (nil: off).
    public var consulDiscovery: (client: ConsulClientConfiguration, options: ConsulDiscoveryOptions)?
    /// Nomad native service discovery: the agent it asks and the namespace discovered Upstreams go in (nil: off).
    public var nomadDiscovery: (client: NomadClientConfiguration, discoveryNamespace: String)?
    /// Written into the leader lock so operators see who leads.
    public var instanceName = RunConfiguration.defaultInstanceName

    public init(configDirectory: String) { self.source = .directory(configDirectory) }

    public init(consul: ConsulClientConfiguration) { self.source = .consul(consul) }

    /// A configuration problem found before starting, naming the value and where it came from.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Checks `effective` and keeps what this build serves.
    /// `forceDiscovery`: discovery runs whatever `--no-discovery` or the Settings say (`gloo-hashi discovery`).
    public init(_ effective: EffectiveConfiguration, forceDiscovery: Bool = false) throws(Invalid) {
        if let directory = effective.configDirectory.value {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Invalid(description: "config directory '\(directory)' (\(effective.configDirectory.provenance)) is not a directory")
            }
            self.init(configDirectory: directory)
            writeStatuses = effective.writeStatuses.value
        } else if let address = effective.consulAddress.value {
            self.init(consul: try Self.consul(address, effective))
            writeStatuses = true
        } else {
            throw Invalid(description: "no configuration source: give --config-dir DIR or --consul-address ADDR (or CONSUL_HTTP_ADDR, "
                + "or a Settings file with directoryConfigSource or consul.address)")
        }
        rootKey = effective.rootKey.value
        if let address = effective.consulAddress.value, effective.discoveryEnabled.value || forceDiscovery {
            consulDiscovery = (try Self.consul(address, effective), Self.discoveryOptions(effective))
        }
        if let address = effective.nomadAddress.value {
            // NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY, NOMAD_CAPATH, NOMAD_TLS_SERVER_NAME and NOMAD_SKIP_VERIFY as Nomad's CLI reads them.
            var tls = NomadClientConfiguration.fromEnvironment(address: address)?.tls ?? ClientTLSSettings()
            tls.caFile = effective.nomadCACert.value
            guard let client = NomadClientConfiguration(
                address: address, token: effective.nomadToken.value, region: effective.nomadRegion.value,
                namespace: effective.nomadNamespace.value, tls: tls)
            else {
                throw Invalid(description: "Nomad address '\(address)' (\(effective.nomadAddress.provenance)) is not host:port or a URL")
            }
            nomadDiscovery = (client, effective.discoveryNamespace.value)
        }
        if let address = effective.vaultAddress.value {
            vault = (try Self.vault(address, effective), try Self.vaultCredentials(effective),
                     GlooVaultLayout(pathPrefix: effective.vaultPathPrefix.value, rootKey: effective.vaultRootKey.value),
                     effective.vaultRefreshInterval.value)
        }
        statusNamespace = effective.statusNamespace.value
        guard effective.sessionTTL.value >= .seconds(10) else {
            throw Invalid(description: "the leader session TTL (\(effective.sessionTTL.provenance)) must be at least 10 s (Consul's minimum)")
        }
        sessionTTL = effective.sessionTTL.value
        xdsAddress = try Self.address(effective.xdsAddress)
        adminAddress = try Self.address(effective.adminAddress)
        pollInterval = effective.pollInterval.value
        quiet = effective.debounce.value
        maximumDelay = effective.maximumDelay.value
        guard let level = Logger.Level(rawValue: effective.logLevel.value) else {
            throw Invalid(description: "unknown log level '\(effective.logLevel.value)' (\(effective.logLevel.provenance)); "
                + "use trace, debug, info, notice, warning, error or critical")
        }
        logLevel = level
        guard let format = LogFormat(rawValue: effective.logFormat.value) else {
            throw Invalid(description: "unknown log format '\(effective.logFormat.value)' (\(effective.logFormat.provenance)); use text or json")
        }
        logFormat = format
    }

    /// `<hostname>/<pid>`, or Nomad's allocation ID when it runs in Nomad.
    public static var defaultInstanceName: String {
        let environment = ProcessInfo.processInfo.environment
        if let allocation = environment["NOMAD_ALLOC_ID"], !allocation.isEmpty { return "nomad-alloc/\(allocation)" }
        return "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// How to authenticate to Vault: AppRole when both IDs (or both ID files) are given, else the
    /// token file, else the token.
    static func vaultCredentials(_ effective: EffectiveConfiguration) throws(Invalid) -> VaultCredentials {
        let (roleIDFile, secretIDFile) = (effective.vaultRoleIDFile.value, effective.vaultSecretIDFile.value)
        if roleIDFile != nil || secretIDFile != nil {
            guard let roleIDFile, let secretIDFile else {
                throw Invalid(description: "Vault AppRole needs both --vault-role-id-file and --vault-secret-id-file")
            }
            return .appRoleFiles(roleIDFile: roleIDFile, secretIDFile: secretIDFile, mount: "approle")
        }
        let (roleID, secretID) = (effective.vaultRoleID.value, effective.vaultSecretID.value)
        if !roleID.revealed.isEmpty || !secretID.revealed.isEmpty {
            guard !roleID.revealed.isEmpty, !secretID.revealed.isEmpty else {
                throw Invalid(description: "Vault AppRole needs both VAULT_ROLE_ID and VAULT_SECRET_ID")
            }
            return .appRole(roleID: roleID, secretID: secretID, mount: "approle")
        }
        if let file = effective.vaultTokenFile.value { return .tokenFile(file) }
        guard !effective.vaultToken.value.revealed.isEmpty else {
            throw Invalid(description: "Vault is configured (\(effective.vaultAddress.provenance)) but no credentials are: give "
                + "vaultSecretSource.accessToken, VAULT_TOKEN, --vault-token-file, or VAULT_ROLE_ID and VAULT_SECRET_ID")
        }
        return .token(effective.vaultToken.value)
    }

    /// The Vault client settings from the effective configuration.
    static func vault(_ address: String, _ effective: EffectiveConfiguration) throws(Invalid) -> VaultClientConfiguration {
        guard var client = VaultClientConfiguration(address: address) else {
            throw Invalid(description: "'\(address)' (\(effective.vaultAddress.provenance)) is not a Vault address (a URL or host:port)")
        }
        (client.namespace, client.caCert, client.caPath) = (effective.vaultNamespace.value, effective.vaultCACert.value,
                                                            effective.vaultCAPath.value)
        (client.clientCertificate, client.clientKey) = (effective.vaultClientCert.value, effective.vaultClientKey.value)
        (client.tlsServerName, client.skipVerify) = (effective.vaultTLSServerName.value, effective.vaultSkipVerify.value)
        return client
    }

    /// The Consul client settings from the effective configuration.
    static func consul(_ address: String, _ effective: EffectiveConfiguration) throws(Invalid) -> ConsulClientConfiguration {
        let ssl = (effective.consulSSL.value || effective.consulCACert.value != nil) && !address.hasPrefix("http://")
        guard var consul = ConsulClientConfiguration(address: address, ssl: ssl, token: effective.consulToken.value) else {
            throw Invalid(description: "'\(address)' (\(effective.consulAddress.provenance)) is not a Consul address (host:port or URL)")
        }
        consul.datacenter = effective.consulDatacenter.value
        consul.caFile = effective.consulCACert.value
        consul.clientCertificate = effective.consulClientCert.value
        consul.clientKey = effective.consulClientKey.value
        consul.tlsServerName = effective.consulTLSServerName.value
        consul.insecureSkipVerify = effective.consulInsecureSkipVerify.value
        consul.wait = min(effective.consulWaitTime.value, .seconds(600))
        return consul
    }

    /// How Consul services become Upstreams, from the effective configuration.
    static func discoveryOptions(_ effective: EffectiveConfiguration) -> ConsulDiscoveryOptions {
        var options = ConsulDiscoveryOptions()
        options.datacenters = effective.discoveryDatacenters.value
        options.namespace = effective.discoveryNamespace.value
        options.includeWarningInstances = effective.discoveryIncludeWarning.value
        options.hostnameRefresh = max(effective.discoveryHostnameRefresh.value, .seconds(1))
        if let settings = effective.consulDiscovery {
            options.useTlsTagging = settings.useTlsTagging
            if !settings.tlsTagName.isEmpty { options.tlsTagName = settings.tlsTagName }
            options.rootCa = settings.rootCa
            options.splitTlsServices = settings.splitTlsServices
            options.serviceTagsAllowlist = settings.serviceTagsAllowlist
            switch settings.consistencyMode {
            case .staleMode?: options.read.consistency = .stale
            case .consistentMode?: options.read.consistency = .consistent
            case .defaultMode?, nil: break
            }
            options.read.cached = settings.queryOptions?.useCache != false
        }
        return options
    }

    private static func address(_ sourced: Sourced<String>) throws(Invalid) -> HostPort {
        guard let address = HostPort(sourced.value) else {
            throw Invalid(description: "'\(sourced.value)' (\(sourced.provenance)) is not HOST:PORT")
        }
        return address
    }
}
