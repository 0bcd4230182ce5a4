/// Issues certificates on request (Vault PKI) and issues them again before they expire.
public protocol CertificateIssuer: Sendable {
    /// The certificates the configuration asks for; others are forgotten (their keys dropped).
    func setRequests(_ requests: Set<VaultPkiCertificate>) async
    /// What is issued: the first result once every request has been tried, then one per change.
    func certificates() -> AsyncStream<IssuedCertificates>
}

/// The certificates an issuer holds at one moment, and why the missing ones are missing.
public struct IssuedCertificates: Hashable, Sendable {
    /// Certificate, chain and private key by request (the key lives in memory only).
    public var certificates: [VaultPkiCertificate: TlsSecret]
    /// Why a request has no certificate, or why its renewal is failing while the last one serves.
    public var problems: [VaultPkiCertificate: String]
    /// The requests these answer.
    public var requests: Set<VaultPkiCertificate>

    public init(
        certificates: [VaultPkiCertificate: TlsSecret] = [:], problems: [VaultPkiCertificate: String] = [:],
        requests: Set<VaultPkiCertificate> = []
    ) {
        self.certificates = certificates
        self.problems = problems
        self.requests = requests
    }
}
