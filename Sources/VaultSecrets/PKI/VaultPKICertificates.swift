import Foundation
import GlooAPI
import HashiHTTP
import Logging

/// The certificates `sslConfig.vaultPki` asks for (`CertificateIssuer`): each issued by Vault
/// PKI, its private key kept in this process's memory only, issued again at two thirds of its
/// lifetime. A failed issue is retried with backoff while the last certificate keeps serving, and
/// the failure is reported on the certificates' result (the VirtualService's status says so).
public actor VaultPKICertificates: CertificateIssuer {
    private struct Held {
        var tls: TlsSecret
        var serialNumber: String
    }

    let pki: VaultPKI
    let logger: Logger
    private let clock: @Sendable () -> Date
    private let timeline: Timeline
    private var requests: Set<VaultPkiCertificate> = []
    private var held: [VaultPkiCertificate: Held] = [:]
    private var schedule: [VaultPkiCertificate: CertificateRenewal] = [:]
    private var problems: [VaultPkiCertificate: String] = [:]
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// `clock` is the wall time renewal is planned on, `timer` the clock the loop waits on
    /// (tests inject their own).
    public init(client: VaultHTTPClient, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() },
                timer: any Clock<Duration> = ContinuousClock()) {
        self.pki = VaultPKI(client: client)
        timeline = Timeline(timer)
        self.logger = logger
        self.clock = clock
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake.yield()
    }

    public func setRequests(_ requests: Set<VaultPkiCertificate>) {
        let valid = requests.filter { $0.problem == nil }
        guard valid != self.requests else { return }
        self.requests = valid
        for gone in Set(held.keys).union(schedule.keys).subtracting(valid) {
            held[gone] = nil
            schedule[gone] = nil
            problems[gone] = nil
        }
        wake.yield()
    }

    /// What is held now, for the requests set.
    public var current: IssuedCertificates {
        IssuedCertificates(certificates: held.mapValues(\.tls), problems: problems, requests: requests)
    }

    /// The serial number of the certificate held for `request`, if any (for logs and tests).
    public func serialNumber(of request: VaultPkiCertificate) -> String? { held[request]?.serialNumber }

    /// Asks Vault for every certificate that is missing, due for renewal or due for a retry at
    /// `now`; returns when to look again (nil: nothing is requested).
    @discardableResult
    public func refresh(now: Date) async -> Date? {
        for request in requests.sorted(by: { $0.summary < $1.summary }) where schedule[request, default: CertificateRenewal()].isDue(at: now) {
            await issue(request, now: now)
        }
        return requests.compactMap { schedule[$0]?.nextAttempt }.min()
    }

    private func issue(_ request: VaultPkiCertificate, now: Date) async {
        let ttl = request.ttl.map { Duration.seconds($0.seconds) + .nanoseconds(Int64($0.nanos)) }
        do {
            let issued = try await pki.issue(mount: request.effectiveMount, role: request.role, commonName: request.commonName,
                                             altNames: request.altNames, ipSANs: request.ipSans, ttl: ttl)
            // The request may have been dropped while Vault answered.
            guard requests.contains(request) else { return }
            let chain = ([issued.certificate] + issued.caChain).map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined()
            held[request] = Held(tls: TlsSecret(certChain: chain, privateKey: issued.privateKey), serialNumber: issued.serialNumber)
            schedule[request, default: CertificateRenewal()].issued(at: now, expiresAt: Date(timeIntervalSince1970: issued.expiration))
            problems[request] = nil
            logger.info("Vault PKI issued a certificate", metadata: [
                "request": "\(request.summary)", "serial": "\(issued.serialNumber)",
                "expires": "\(Date(timeIntervalSince1970: issued.expiration))",
                "renewAt": "\(schedule[request]?.renewAt.map { "\($0)" } ?? "")",
            ])
        } catch {
            guard requests.contains(request) else { return }
            schedule[request, default: CertificateRenewal()].failed(at: now)
            let expired = schedule[request]?.hasExpired(at: now) ?? false
            problems[request] = "\(error)" + (held[request] == nil ? "" : expired ? " (the last certificate has expired)"
                : " (the last certificate keeps serving)")
            logger.error("Vault PKI did not issue a certificate", metadata: [
                "request": "\(request.summary)", "error": "\(error)",
                "retryAt": "\(schedule[request]?.retryAt.map { "\($0)" } ?? "")",
            ])
        }
    }

    /// The certificates: a result once every request has been tried, then one per change (one
    /// consumer at a time). The loop runs while the stream is consumed and wakes at the next renewal or retry, or when
    /// the requests change.
    public nonisolated func certificates() -> AsyncStream<IssuedCertificates> {
        AsyncStream { continuation in
            let task = Task {
                var last: IssuedCertificates?
                var timer: Task<Void, Never>?
                defer { timer?.cancel() }
                for await _ in wakes {
                    let next = await refresh(now: clock())
                    let result = await current
                    if result != last {
                        last = result
                        continuation.yield(result)
                    }
                    timer?.cancel()
                    // At most a minute between looks, so a clock jump or a suspended process catches up.
                    let pause = min(60, max(0.05, next.map { $0.timeIntervalSince(clock()) } ?? 60))
                    timer = Task { [wake, timeline] in
                        try? await timeline.sleep(for: .milliseconds(Int(pause * 1000)))
                        if !Task.isCancelled { wake.yield() }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
