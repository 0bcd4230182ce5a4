import Foundation
import HashiHTTP

/// The Vault test server's state: KV mounts (v1 and v2 with versions and metadata), tokens with
/// TTL and max TTL on a clock the test moves, AppRole credentials, the seal, and the request log.
actor VaultState {
    /// One stored version of a KV v2 secret.
    struct Version: Sendable {
        var data: Data
        var created: Date
        var deleted: Date?
        var destroyed = false
    }

    struct Secret: Sendable {
        var versions: [Int: Version] = [:]
        var current = 0
        var created: Date
        var updated: Date
    }

    struct Mount: Sendable {
        var version: Int
        /// KV v2 secrets by path below the mount.
        var secrets: [String: Secret] = [:]
        /// KV v1 values by path below the mount.
        var values: [String: Data] = [:]
    }

    struct Token: Sendable {
        var policies: [String]
        var ttl: Duration
        var maxTTL: Duration
        var created: Date
        var expires: Date?
        var renewable: Bool
    }

    var mounts: [String: Mount] = ["secret": Mount(version: 2)]
    var tokens: [String: Token] = [:]
    /// role_id to secret_id, and the TTL of the tokens a login gets.
    var appRoles: [String: (secretID: String, ttl: Duration, maxTTL: Duration)] = [:]
    var sealed = false
    /// PKI mounts: their CA and the roles that may issue, with each role's longest TTL.
    var pki: [String: (authority: TestCertificateAuthority, roles: [String: Duration])] = [:]
    var requests: [(method: String, path: String)] = []
    /// How far the test moved the clock.
    var offset: TimeInterval = 0
    private var issued = 0

    /// Token TTLs run on this clock from `origin` (tests may pass a manual one).
    var timeline = Timeline()
    var origin = Date()

    var now: Date {
        let elapsed = timeline.now.sinceStart
        return origin.addingTimeInterval(offset + Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    func setClock(_ clock: any Clock<Duration>) {
        timeline = Timeline(clock)
        origin = Date()
    }

    func log(_ method: String, _ path: String) { requests.append((method, path)) }

    // MARK: Tokens

    /// A new token; `ttl` nil never expires (a root token).
    func issueToken(policies: [String], ttl: Duration?, maxTTL: Duration?, renewable: Bool, id: String? = nil) -> String {
        issued += 1
        let token = id ?? "hvs.test-\(issued)-\(UUID().uuidString.prefix(8))"
        let seconds = ttl.map { Double($0.components.seconds) }
        tokens[token] = Token(policies: policies, ttl: ttl ?? .zero, maxTTL: maxTTL ?? ttl ?? .zero, created: now,
                              expires: seconds.map { now.addingTimeInterval($0) }, renewable: renewable)
        return token
    }

    /// The live token, if `token` is one.
    func validToken(_ token: String) -> Token? {
        guard let found = tokens[token] else { return nil }
        if let expires = found.expires, expires <= now {
            tokens[token] = nil
            return nil
        }
        return found
    }

    /// Extends a renewable token by `increment` (its TTL when nil), never past its max TTL.
    func renew(_ token: String, increment: Duration?) -> Token? {
        guard var found = validToken(token), found.renewable, found.expires != nil else { return nil }
        let limit = found.created.addingTimeInterval(Double(found.maxTTL.components.seconds))
        let wanted = now.addingTimeInterval(Double((increment ?? found.ttl).components.seconds))
        found.expires = min(wanted, limit)
        tokens[token] = found
        return found
    }

    func remaining(_ token: Token) -> Int {
        token.expires.map { max(0, Int($0.timeIntervalSince(now).rounded(.down))) } ?? 0
    }

    // MARK: KV

    /// The mount `path` is under and the rest of the path.
    func mount(of path: String) -> (name: String, rest: String)? {
        for name in mounts.keys.sorted(by: { $0.count > $1.count }) where path == name || path.hasPrefix(name + "/") {
            return (name, path == name ? "" : String(path.dropFirst(name.count + 1)))
        }
        return nil
    }

    /// Writes a KV v2 version unless `cas` does not match (0: only when absent); returns it.
    func write(mount: String, path: String, data: Data, cas: Int?) -> (Int, Date)? {
        var secret = mounts[mount]?.secrets[path] ?? Secret(created: now, updated: now)
        // Vault compares with the current version, deleted or not.
        if let cas, cas != secret.current { return nil }
        secret.current += 1
        secret.versions[secret.current] = Version(data: data, created: now)
        secret.updated = now
        mounts[mount]?.secrets[path] = secret
        return (secret.current, now)
    }

    func softDelete(mount: String, path: String, versions: [Int]?) {
        guard var secret = mounts[mount]?.secrets[path] else { return }
        for version in versions ?? [secret.current] where secret.versions[version]?.deleted == nil {
            secret.versions[version]?.deleted = now
        }
        mounts[mount]?.secrets[path] = secret
    }

    func destroy(mount: String, path: String, versions: [Int]) {
        for version in versions { mounts[mount]?.secrets[path]?.versions[version]?.destroyed = true }
    }

    /// The keys directly under `folder` (sub-folders end in `/`), from KV v2 secrets or v1 values.
    func list(mount: String, folder: String) -> [String] {
        guard let stored = mounts[mount] else { return [] }
        let prefix = folder.isEmpty ? "" : (folder.hasSuffix("/") ? folder : folder + "/")
        let paths = stored.version == 2 ? Array(stored.secrets.keys) : Array(stored.values.keys)
        var keys: Set<String> = []
        for path in paths where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") { keys.insert(String(rest[...slash])) } else { keys.insert(String(rest)) }
        }
        return keys.sorted()
    }
}

/// Test controls.
extension VaultState {
    func setAppRole(_ roleID: String, _ role: (secretID: String, ttl: Duration, maxTTL: Duration)) { appRoles[roleID] = role }
    func addMount(_ path: String, version: Int) { mounts[path] = Mount(version: version) }
    func advance(by duration: Duration) { offset += Double(duration.components.seconds) }
    func setSealed(_ sealed: Bool) { self.sealed = sealed }
    func revoke(_ token: String) { tokens[token] = nil }

    /// Adds `role` to the PKI mount `mount` (created with a fresh CA when new); returns the CA (PEM).
    func addPKIRole(mount: String, role: String, maxTTL: Duration) throws -> String {
        if pki[mount] == nil { pki[mount] = (try TestCertificateAuthority(commonName: "vault test \(mount) CA"), [:]) }
        pki[mount]?.roles[role] = maxTTL
        return pki[mount]!.authority.certificatePEM
    }
    func removeSecret(mount: String, path: String) { mounts[mount]?.secrets[path] = nil }
    func setValue(mount: String, path: String, data: Data?) { mounts[mount]?.values[path] = data }
}
