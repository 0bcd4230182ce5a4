import Foundation

/// A certificate the controller asks Vault PKI for (`sslConfig.vaultPki`, our extension to
/// Gloo): `POST /v1/<mount>/issue/<role>`, its key kept in memory only, issued again at two
/// thirds of its lifetime. Equal requests share one certificate.
public struct VaultPkiCertificate: Hashable, Sendable, Codable {
    /// The PKI secrets engine's mount; empty means `pki`.
    public var mount: String
    public var role: String
    public var commonName: String
    /// More DNS names (Vault's `alt_names`).
    public var altNames: [String]
    /// IP addresses (Vault's `ip_sans`).
    public var ipSans: [String]
    /// The lifetime asked for; the role's default when absent (the role's `max_ttl` caps it).
    public var ttl: ProtoDuration?

    public init(mount: String = "pki", role: String, commonName: String, altNames: [String] = [], ipSans: [String] = [],
                ttl: ProtoDuration? = nil) {
        self.mount = mount
        self.role = role
        self.commonName = commonName
        self.altNames = altNames
        self.ipSans = ipSans
        self.ttl = ttl
    }

    /// The mount to ask, `pki` when none is named.
    public var effectiveMount: String { mount.isEmpty ? "pki" : mount.trimmingCharacters(in: ["/"]) }

    /// What is wrong with the request before asking Vault, if anything.
    public var problem: String? {
        if role.isEmpty { return "vaultPki.role is required" }
        if commonName.isEmpty { return "vaultPki.commonName is required" }
        if let ttl, ttl.seconds < 1 { return "vaultPki.ttl must be at least 1s" }
        return nil
    }

    /// A short description for logs and statuses: `pki/issue/<role> for <commonName>`.
    public var summary: String { "\(effectiveMount)/issue/\(role) for \(commonName)" }
}
