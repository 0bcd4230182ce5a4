/// The flags of `gloo-hashi run` as given: nil means "not on the command line", so the Settings
/// file, the environment or the default decides.
public struct RunFlags: Sendable, Equatable {
    public var configDir: String?
    public var settingsFile: String?
    /// Gloo's `--dir`: Settings are read from `<dir>/<namespace>/default.yaml`.
    public var settingsDir: String?
    public var namespace: String?
    public var rootKey: String?
    public var xdsAddress: String?
    public var adminAddress: String?
    public var consulAddress: String?
    /// A file holding the Consul ACL token (a flag never carries the token itself: process lists show flags).
    public var consulTokenFile: String?
    public var vaultAddress: String?
    /// A file holding the Vault token, re-read when it changes (Nomad's `secrets/vault_token`).
    public var vaultTokenFile: String?
    public var vaultRoleIDFile: String?
    public var vaultSecretIDFile: String?
    public var nomadAddress: String?
    public var noDiscovery = false
    /// Consul instances in `warning` get traffic too.
    public var discoveryIncludeWarning = false
    /// Write statuses into the files of `--config-dir` too (Consul KV always gets them).
    public var writeStatuses = false
    public var debounceMs: Int?
    public var maxDelayMs: Int?
    public var pollMs: Int?
    public var refreshSeconds: Int?
    public var sessionTTLSeconds: Int?
    public var vaultRefreshSeconds: Int?
    public var logLevel: String?
    public var logFormat: String?

    public init() {}
}
