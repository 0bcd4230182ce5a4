import GlooAPI
import Logging
import VaultSecrets

/// Vault as a configuration names it: one client, its login (renewed while `run` runs), the
/// Secrets under Gloo's layout and the PKI issuer, opened the same way for `run` and the
/// operator commands.
struct VaultBackend: Sendable {
    let client: VaultHTTPClient
    let authentication: VaultAuthentication
    let secrets: VaultSecretStore
    let certificates: VaultPKICertificates
    /// `vault https://...`, for logs and messages.
    let location: String

    /// Opens the client; nothing is sent until the login starts.
    static func open(_ configuration: RunConfiguration, logger: Logger) throws -> VaultBackend? {
        guard let vault = configuration.vault else { return nil }
        let client = try VaultHTTPClient(vault.client)
        return VaultBackend(
            client: client, authentication: VaultAuthentication(method: vault.credentials, client: client, logger: logger),
            secrets: VaultSecretStore(client: client, layout: vault.layout, refresh: vault.refresh),
            certificates: VaultPKICertificates(client: client, logger: logger), location: "vault \(vault.client.baseURL)")
    }

    func shutdown() async { await client.shutdown() }
}
