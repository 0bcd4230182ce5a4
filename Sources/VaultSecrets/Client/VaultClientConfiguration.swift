import Foundation
import GlooAPI

/// How to reach Vault (REFERENCE.md section 5): address, namespace, TLS, and how often a
/// request that Vault answers sealed, 429 or 5xx is tried before it fails.
public struct VaultClientConfiguration: Sendable, Hashable {
    /// `https://vault.service.consul:8200` form.
    public var baseURL: String
    public var namespace: String?
    /// A CA bundle file, or a directory of PEM files (`VAULT_CAPATH`).
    public var caCert: String?
    public var caPath: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var tlsServerName: String?
    public var skipVerify = false
    /// Attempts per request for transient answers (sealed, 429, 5xx, connection failures).
    public var attempts = 3
    /// The pause before the second attempt; doubled for each next one.
    public var retryPause: Duration = .milliseconds(250)

    /// Parses an address as Vault's CLI does: a URL, or `host:port` (https).
    public init?(address: String) {
        let trimmed = address.hasSuffix("/") ? String(address.dropLast()) : address
        baseURL = trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") ? trimmed : "https://" + trimmed
        guard !trimmed.isEmpty, let url = URL(string: baseURL), url.host != nil else { return nil }
    }

    public var usesTLS: Bool { baseURL.hasPrefix("https://") }
}
