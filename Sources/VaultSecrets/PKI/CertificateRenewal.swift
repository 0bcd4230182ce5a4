import Foundation

/// When an issued certificate is issued again, and when a failed issue is retried: pure, on the
/// caller's clock. Renewal falls at two thirds of the lifetime (REFERENCE.md section 5), never
/// sooner than a second after issuing; retries back off from 1 s, doubling to 60 s.
public struct CertificateRenewal: Sendable {
    /// When the current certificate was received and when it expires (nil: none yet).
    public private(set) var lifetime: (issuedAt: Date, expiresAt: Date)?
    /// Failed attempts since the last success.
    public private(set) var failures = 0
    /// The earliest time for the next attempt after a failure.
    public private(set) var retryAt: Date?

    public init() {}

    /// When the certificate is to be issued again (nil: it has never been issued).
    public var renewAt: Date? {
        guard let (issuedAt, expiresAt) = lifetime else { return nil }
        return issuedAt.addingTimeInterval(max(1, expiresAt.timeIntervalSince(issuedAt) * 2 / 3))
    }

    /// When to ask Vault next: now when nothing is issued, at the renewal time, or at the retry time.
    public var nextAttempt: Date? {
        if let retryAt { return retryAt }
        return renewAt
    }

    /// Whether to ask Vault at `now`.
    public func isDue(at now: Date) -> Bool { nextAttempt.map { $0 <= now } ?? true }

    /// Records a certificate received at `now` that expires at `expiresAt`.
    public mutating func issued(at now: Date, expiresAt: Date) {
        lifetime = (now, max(expiresAt, now))
        failures = 0
        retryAt = nil
    }

    /// Records a failed attempt at `now`.
    public mutating func failed(at now: Date) {
        failures += 1
        let pause = min(60, pow(2, Double(min(failures - 1, 6))))
        retryAt = now.addingTimeInterval(pause)
    }

    /// Whether the current certificate has expired at `now` (it keeps serving while renewal fails,
    /// but the status says so).
    public func hasExpired(at now: Date) -> Bool { lifetime.map { $0.expiresAt <= now } ?? false }
}
