import Foundation
import GlooAPI
import Logging

/// How gloo-hashi authenticates to Vault (REFERENCE.md section 5).
public enum VaultCredentials: Sendable, Hashable {
    /// A token given once (Settings, `VAULT_TOKEN`): looked up at start, renewed while renewable.
    case token(SensitiveString)
    /// A file holding the token, re-read when it changes (Nomad's workload identity writes
    /// `secrets/vault_token`).
    case tokenFile(String)
    /// AppRole: a login with role_id and secret_id, again when renewal cannot keep the token alive.
    case appRole(roleID: SensitiveString, secretID: SensitiveString, mount: String)
    /// AppRole with role_id and secret_id read from files at every login (a Nomad template or an
    /// agent may rotate the secret_id).
    case appRoleFiles(roleIDFile: String, secretIDFile: String, mount: String)
}

/// Keeps `client` holding a live token: looks it up, renews it, logs in again or re-reads the
/// token file as `VaultTokenLease` decides, for as long as `run()` runs. Failures are logged
/// (never with the token) and retried.
public actor VaultAuthentication {
    public let method: VaultCredentials
    let client: VaultHTTPClient
    let logger: Logger
    private var lease: VaultTokenLease
    private var fileToken: String?
    private var renewable = false

    /// `fileInterval`: how often a token file is looked at; `retryPause`: after a failed step.
    public init(
        method: VaultCredentials, client: VaultHTTPClient, logger: Logger, fileInterval: Duration = .seconds(10),
        retryPause: Duration = .seconds(5)
    ) {
        self.method = method
        self.client = client
        self.logger = logger
        let source: VaultTokenLease.Source = switch method {
        case .token: .staticToken
        case .tokenFile: .tokenFile
        case .appRole, .appRoleFiles: .appRole
        }
        lease = VaultTokenLease(source: source, fileInterval: fileInterval, retryPause: retryPause)
    }

    /// Seconds on the client's clock.
    private var now: Double {
        let elapsed = client.timeline.now.sinceStart
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Obtains the first token (login, file read or lookup); throws when that fails.
    public func start() async throws {
        switch method {
        case .token(let token):
            client.setToken(token)
            try await lookUp()
        case .tokenFile:
            try await rereadFile(force: true)
        case .appRole, .appRoleFiles:
            try await login()
        }
    }

    /// Renews, logs in or re-reads when due, until cancelled.
    public func run() async {
        while !Task.isCancelled {
            let (action, at) = lease.next
            if action == .nothing && at.isInfinite { return }
            let wait = max(0, at - now)
            try? await client.timeline.sleep(for: .milliseconds(Int64(wait * 1000)))
            if Task.isCancelled { return }
            do {
                switch action {
                case .renew: try await renew()
                case .login: try await login()
                case .rereadFile: try await rereadFile(force: false)
                case .nothing:
                    logger.warning("the Vault token cannot be renewed and has run out; give a new one")
                    return
                }
            } catch {
                logger.warning("Vault authentication step failed; trying again", metadata: [
                    "step": "\(action)", "error": "\(error)",
                ])
                lease.failed(at: now)
            }
        }
    }

    private func lookUp() async throws {
        let answer = try await client.send(.GET, "auth/token/lookup-self")
        let data = answer.json["data"] as? [String: Any] ?? [:]
        renewable = data["renewable"] as? Bool ?? false
        lease.obtained(ttl: Double(data["ttl"] as? Int ?? 0), renewable: renewable, at: now)
    }

    private func renew() async throws {
        let increment = Int(lease.increment.components.seconds)
        let answer = try await client.send(.POST, "auth/token/renew-self", body: ["increment": "\(increment)s"])
        let auth = answer.json["auth"] as? [String: Any] ?? [:]
        renewable = auth["renewable"] as? Bool ?? false
        lease.obtained(ttl: Double(auth["lease_duration"] as? Int ?? 0), renewable: renewable, at: now, asked: Double(increment))
        logger.debug("Vault token renewed", metadata: ["ttl": "\(auth["lease_duration"] as? Int ?? 0)s"])
    }

    private func login() async throws {
        let (roleID, secretID, mount): (SensitiveString, SensitiveString, String)
        switch method {
        case .appRole(let role, let secret, let path): (roleID, secretID, mount) = (role, secret, path)
        case .appRoleFiles(let roleFile, let secretFile, let path):
            (roleID, secretID, mount) = (try Self.credential(from: roleFile), try Self.credential(from: secretFile), path)
        default: return
        }
        let answer = try await client.send(.POST, "auth/\(mount)/login", body: ["role_id": roleID.revealed, "secret_id": secretID.revealed])
        let auth = answer.json["auth"] as? [String: Any] ?? [:]
        guard let token = auth["client_token"] as? String else {
            throw VaultError.malformed(path: "auth/\(mount)/login", cause: "no client_token in the answer")
        }
        client.setToken(SensitiveString(token))
        renewable = auth["renewable"] as? Bool ?? false
        lease.obtained(ttl: Double(auth["lease_duration"] as? Int ?? 0), renewable: renewable, at: now)
        logger.info("logged in to Vault with AppRole", metadata: ["ttl": "\(auth["lease_duration"] as? Int ?? 0)s"])
    }

    private func rereadFile(force: Bool) async throws {
        guard case .tokenFile(let path) = method else { return }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        if !force, text == fileToken {
            lease.fileUnchanged(at: now, renewable: renewable)
            return
        }
        fileToken = text
        client.setToken(SensitiveString(text))
        try await lookUp()
        if !force { logger.info("the Vault token file changed; using the new token", metadata: ["file": "\(path)"]) }
    }

    /// A credential file's content, trimmed; a missing or empty file is an error naming the file.
    static func credential(from path: String) throws -> SensitiveString {
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !text.isEmpty else { throw VaultError.malformed(path: path, cause: "the AppRole credential file is missing or empty") }
        return SensitiveString(text)
    }
}
