/// When to renew, log in again or re-read the token file, as a pure state machine on the
/// caller's clock (REFERENCE.md section 5): a renewable token is renewed at about half its TTL;
/// when Vault grants less than was asked (the max TTL is near) or a renewal fails, an AppRole
/// login is made before the token runs out; a token file is re-read (Nomad's workload identity
/// rewrites `secrets/vault_token`); a token without TTL (root) needs nothing.
public struct VaultTokenLease: Sendable, Hashable {
    /// Where the token comes from.
    public enum Source: Sendable, Hashable {
        case staticToken
        case tokenFile
        case appRole
    }

    /// What to do next.
    public enum Action: Sendable, Hashable {
        case renew
        case login
        case rereadFile
        /// The token does not expire.
        case nothing
    }

    public let source: Source
    /// How long a renewal asks for.
    public var increment: Duration
    /// How often a token file is looked at for a new token.
    public var fileInterval: Duration
    /// The pause before trying a failed renewal or login again.
    public var retryPause: Duration
    /// Seconds on the caller's clock when the token runs out (nil: never), and the next step.
    public private(set) var expiresAt: Double?
    public private(set) var next: (action: Action, at: Double) = (.nothing, 0)

    public static func == (lhs: VaultTokenLease, rhs: VaultTokenLease) -> Bool {
        lhs.source == rhs.source && lhs.expiresAt == rhs.expiresAt && lhs.next == rhs.next
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(expiresAt)
    }

    public init(source: Source, increment: Duration = .seconds(3600), fileInterval: Duration = .seconds(10),
                retryPause: Duration = .seconds(5)) {
        self.source = source
        self.increment = increment
        self.fileInterval = fileInterval
        self.retryPause = retryPause
    }

    /// A token was looked up, logged in or renewed at `now` (seconds): it lives `ttl` more
    /// seconds (0: no expiry), `renewable` or not; `asked` is what a renewal asked for.
    public mutating func obtained(ttl: Double, renewable: Bool, at now: Double, asked: Double? = nil) {
        expiresAt = ttl > 0 ? now + ttl : nil
        let fileCheck = now + Self.seconds(fileInterval)
        guard ttl > 0 else {
            next = source == .tokenFile ? (.rereadFile, fileCheck) : (.nothing, .infinity)
            return
        }
        // Vault granting less than half of what was asked: the max TTL is near, renewing will not
        // keep the token alive.
        let capped = asked.map { ttl < $0 / 2 } ?? false
        switch source {
        case .appRole where !renewable || capped:
            next = (.login, now + ttl * 2 / 3)
        case .tokenFile where !renewable || capped:
            next = (.rereadFile, min(fileCheck, now + ttl / 2))
        case _ where renewable:
            next = (.renew, now + ttl / 2)
            if source == .tokenFile, fileCheck < next.at { next = (.rereadFile, fileCheck) }
        default:
            // A static token that cannot be renewed just runs out; nothing helps but a new one.
            next = (.nothing, now + ttl)
        }
    }

    /// The renewal or login due at `now` failed: an AppRole logs in again at once (then after
    /// the pause), others retry until the token runs out.
    public mutating func failed(at now: Double) {
        let retry = now + Self.seconds(retryPause)
        switch (source, next.action) {
        case (.appRole, .renew): next = (.login, now)
        case (.appRole, _): next = (.login, retry)
        case (.tokenFile, _): next = (.rereadFile, retry)
        default: next = (next.action, retry)
        }
    }

    /// The file's token was re-read at `now` and is the same: look again after the interval,
    /// unless a renewal is due sooner.
    public mutating func fileUnchanged(at now: Double, renewable: Bool) {
        let fileCheck = now + Self.seconds(fileInterval)
        if renewable, let expiresAt, expiresAt > now {
            let renewAt = now + (expiresAt - now) / 2
            if renewAt < fileCheck {
                next = (.renew, renewAt)
                return
            }
        }
        next = (.rereadFile, fileCheck)
    }

    /// Whether the token has run out at `now`.
    public func expired(at now: Double) -> Bool { expiresAt.map { now >= $0 } ?? false }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
