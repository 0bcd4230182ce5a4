/// Gloo's controller settings (`gloo.solo.io/v1/Settings`): where configuration, secrets and
/// services come from. gloo-hashi reads the Consul, Vault and discovery parts; the rest of Gloo's
/// fields are recognized and reported.
public struct Settings: Resource {
    public static let kind = ResourceKind.settings

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    public var discoveryNamespace: String
    public var watchNamespaces: [String]
    public var configSource: ConfigSource?
    public var secretSource: SecretSource?
    public var artifactSource: ArtifactSource?
    public var refreshRate: ProtoDuration?
    public var gloo: GlooOptions?
    public var consul: ConsulConfiguration?
    public var consulDiscovery: ConsulDiscoveryConfiguration?

    public var devMode: IgnoredOption?
    public var linkerd: IgnoredOption?
    public var knative: IgnoredOption?
    public var discovery: IgnoredOption?
    public var gateway: IgnoredOption?
    public var kubernetes: IgnoredOption?
    public var extensions: IgnoredOption?
    public var ratelimit: IgnoredOption?
    public var ratelimitServer: IgnoredOption?
    public var rbac: IgnoredOption?
    public var extauth: IgnoredOption?
    public var namedExtauth: IgnoredOption?
    public var cachingServer: IgnoredOption?
    public var observabilityOptions: IgnoredOption?
    public var upstreamOptions: IgnoredOption?
    public var consoleOptions: IgnoredOption?
    public var graphqlOptions: IgnoredOption?
    public var extProc: IgnoredOption?
    public var extProcEarly: IgnoredOption?
    public var extProcLate: IgnoredOption?
    public var ipV4Only: IgnoredOption?
    public var watchNamespaceSelectors: IgnoredOption?

    public init(metadata: Metadata) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.discoveryNamespace = ""
        self.watchNamespaces = []
    }

    public func semanticProblems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if case .vaultSecretSource(let vault) = secretSource, case .aws = vault.authMethod {
            problems.append(FieldProblem(
                .error, fieldPath: "vaultSecretSource.aws",
                reason: "Vault AWS IAM auth is not supported by gloo-hashi; use accessToken, a token file or AppRole"))
        }
        return problems
    }
}

/// Where resources are read from (`config_source` oneof).
public indirect enum ConfigSource: OneOf {
    case kubernetesConfigSource(IgnoredOption)
    case directoryConfigSource(DirectorySource)
    case consulKvSource(ConsulKvSource)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["kubernetesConfigSource", "directoryConfigSource", "consulKvSource"])
        switch reader.name {
        case "kubernetesConfigSource": self = .kubernetesConfigSource(try reader.decode())
        case "directoryConfigSource": self = .directoryConfigSource(try reader.decode())
        default: self = .consulKvSource(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .kubernetesConfigSource(let value): try encoder.encodeOneOf("kubernetesConfigSource", value)
        case .directoryConfigSource(let value): try encoder.encodeOneOf("directoryConfigSource", value)
        case .consulKvSource(let value): try encoder.encodeOneOf("consulKvSource", value)
        }
    }
}

/// Where secrets are read from (`secret_source` oneof).
public indirect enum SecretSource: OneOf {
    case kubernetesSecretSource(IgnoredOption)
    case vaultSecretSource(VaultSecretSource)
    case directorySecretSource(DirectorySource)
    case secretOptions(IgnoredOption)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["kubernetesSecretSource", "vaultSecretSource", "directorySecretSource", "secretOptions"])
        switch reader.name {
        case "kubernetesSecretSource": self = .kubernetesSecretSource(try reader.decode())
        case "vaultSecretSource": self = .vaultSecretSource(try reader.decode())
        case "directorySecretSource": self = .directorySecretSource(try reader.decode())
        default: self = .secretOptions(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .kubernetesSecretSource(let value): try encoder.encodeOneOf("kubernetesSecretSource", value)
        case .vaultSecretSource(let value): try encoder.encodeOneOf("vaultSecretSource", value)
        case .directorySecretSource(let value): try encoder.encodeOneOf("directorySecretSource", value)
        case .secretOptions(let value): try encoder.encodeOneOf("secretOptions", value)
        }
    }
}

/// Where artifacts are read from (`artifact_source` oneof); gloo-hashi uses no artifacts.
public indirect enum ArtifactSource: OneOf {
    case kubernetesArtifactSource(IgnoredOption)
    case directoryArtifactSource(IgnoredOption)
    case consulKvArtifactSource(IgnoredOption)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["kubernetesArtifactSource", "directoryArtifactSource", "consulKvArtifactSource"])
        switch reader.name {
        case "kubernetesArtifactSource": self = .kubernetesArtifactSource(try reader.decode())
        case "directoryArtifactSource": self = .directoryArtifactSource(try reader.decode())
        default: self = .consulKvArtifactSource(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .kubernetesArtifactSource(let value): try encoder.encodeOneOf("kubernetesArtifactSource", value)
        case .directoryArtifactSource(let value): try encoder.encodeOneOf("directoryArtifactSource", value)
        case .consulKvArtifactSource(let value): try encoder.encodeOneOf("consulKvArtifactSource", value)
        }
    }
}

public struct DirectorySource: Hashable, Sendable, Codable {
    public var directory: String
}

/// Gloo resources in Consul KV under `rootKey` (default `gloo`).
public struct ConsulKvSource: Hashable, Sendable, Codable {
    public var rootKey: String
}

/// Vault as the secret source, with Gloo's current and deprecated field names.
public struct VaultSecretSource: Hashable, Sendable, Codable {
    /// Deprecated in Gloo for `accessToken`.
    public var token: SensitiveString
    public var address: String
    public var caCert: String
    public var caPath: String
    public var clientCert: String
    public var clientKey: String
    public var tlsServerName: String
    public var insecure: Bool?
    public var rootKey: String
    public var pathPrefix: String
    public var tlsConfig: VaultTlsConfig?
    public var authMethod: VaultAuthMethod?
}

/// How gloo authenticates to Vault (`auth_method` oneof).
public indirect enum VaultAuthMethod: OneOf {
    case accessToken(SensitiveString)
    case aws(SensitiveConfig)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["accessToken", "aws"])
        switch reader.name {
        case "accessToken": self = .accessToken(try reader.decode())
        default: self = .aws(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .accessToken(let value): try encoder.encodeOneOf("accessToken", value)
        case .aws(let value): try encoder.encodeOneOf("aws", value)
        }
    }
}

public struct VaultTlsConfig: Hashable, Sendable, Codable {
    public var caCert: String
    public var caPath: String
    public var clientCert: String
    public var clientKey: String
    public var tlsServerName: String
    public var insecure: Bool?
}

/// The Consul agent Gloo talks to.
public struct ConsulConfiguration: Hashable, Sendable, Codable {
    public var address: String
    public var datacenter: String
    public var username: String
    public var password: SensitiveString
    public var token: SensitiveString
    public var caFile: String
    public var caPath: String
    public var certFile: String
    public var keyFile: String
    public var insecureSkipVerify: Bool?
    public var waitTime: ProtoDuration?
    public var serviceDiscovery: ConsulServiceDiscovery?
    public var httpAddress: String
    public var dnsAddress: String
    public var dnsPollingInterval: ProtoDuration?
}

/// Presence turns on Consul service discovery; `dataCenters` limits it.
public struct ConsulServiceDiscovery: Hashable, Sendable, Codable {
    public var dataCenters: [String]
}

/// How discovered Consul services become upstreams.
public struct ConsulDiscoveryConfiguration: Hashable, Sendable, Codable {
    public var useTlsTagging: Bool
    public var tlsTagName: String
    public var rootCa: ResourceRef?
    public var splitTlsServices: Bool
    public var consistencyMode: ConsulUpstream.ConsistencyMode?
    public var queryOptions: ConsulQueryOptions?
    public var serviceTagsAllowlist: [String]
    public var edsBlockingQueries: Bool
}

/// Gloo controller options; gloo-hashi reads the xDS address.
public struct GlooOptions: Hashable, Sendable, Codable {
    public var xdsBindAddr: String
    public var validationBindAddr: IgnoredOption?
    public var restXdsBindAddr: IgnoredOption?
    public var proxyDebugBindAddr: IgnoredOption?
    public var circuitBreakers: IgnoredOption?
    public var endpointsWarmingTimeout: IgnoredOption?
    public var awsOptions: IgnoredOption?
    public var invalidConfigPolicy: IgnoredOption?
    public var disableKubernetesDestinations: IgnoredOption?
    public var disableGrpcWeb: IgnoredOption?
    public var disableProxyGarbageCollection: IgnoredOption?
    public var regexMaxProgramSize: IgnoredOption?
    public var enableRestEds: IgnoredOption?
    public var failoverUpstreamDnsPollingInterval: IgnoredOption?
    public var removeUnusedFilters: IgnoredOption?
    public var logTransformationRequestResponse: IgnoredOption?
    public var logTransformationRequestResponseInfo: IgnoredOption?
    public var enableAutoWebsocketTransformationPassthrough: IgnoredOption?
    public var transformationEscapeCharacters: IgnoredOption?
    public var istioOptions: IgnoredOption?
}
