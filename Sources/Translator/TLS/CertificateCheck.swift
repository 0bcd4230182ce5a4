import Foundation
import GlooAPI
import SwiftASN1
import X509

/// Checks a TLS Secret before Envoy sees it: the chain and key parse, the key belongs to the
/// leaf certificate, and the leaf is valid at the snapshot's time (expiring within 7 days is a
/// warning). Never prints key material.
enum CertificateCheck {
    static let expiryWarning: TimeInterval = 7 * 24 * 3600

    struct Problem: Hashable {
        var severity: Severity
        var fieldPath: String
        var reason: String
    }

    static func problems(_ tls: TlsSecret, at time: Double) -> [Problem] {
        var problems: [Problem] = []
        var leaf: Certificate?
        if !tls.certChain.isEmpty {
            do {
                let documents = try PEMDocument.parseMultiple(pemString: tls.certChain)
                let certificates = try documents.map { try Certificate(derEncoded: $0.derBytes) }
                leaf = certificates.first
                if certificates.isEmpty { problems.append(Problem(severity: .error, fieldPath: "tls.certChain", reason: "holds no PEM certificate")) }
            } catch {
                problems.append(Problem(severity: .error, fieldPath: "tls.certChain", reason: "not a PEM certificate chain"))
            }
        }
        if !tls.privateKey.revealed.isEmpty {
            do {
                let key = try Certificate.PrivateKey(pemEncoded: tls.privateKey.revealed)
                if let leaf, leaf.publicKey != key.publicKey {
                    problems.append(Problem(severity: .error, fieldPath: "tls.privateKey",
                                            reason: "does not belong to the first certificate of certChain"))
                }
            } catch {
                problems.append(Problem(severity: .error, fieldPath: "tls.privateKey", reason: "not a PEM private key Envoy can use"))
            }
        } else if !tls.certChain.isEmpty {
            problems.append(Problem(severity: .error, fieldPath: "tls.privateKey", reason: "certChain has no privateKey"))
        }
        if !tls.rootCa.isEmpty, (try? PEMDocument.parseMultiple(pemString: tls.rootCa).map { try Certificate(derEncoded: $0.derBytes) }) == nil {
            problems.append(Problem(severity: .error, fieldPath: "tls.rootCa", reason: "not a PEM certificate bundle"))
        }
        if let leaf {
            let now = Date(timeIntervalSince1970: time)
            let formatter = ISO8601DateFormatter()
            if now < leaf.notValidBefore {
                problems.append(Problem(severity: .error, fieldPath: "tls.certChain",
                                        reason: "certificate is not valid before \(formatter.string(from: leaf.notValidBefore))"))
            } else if now > leaf.notValidAfter {
                problems.append(Problem(severity: .error, fieldPath: "tls.certChain",
                                        reason: "certificate expired at \(formatter.string(from: leaf.notValidAfter))"))
            } else if leaf.notValidAfter.timeIntervalSince(now) < expiryWarning {
                problems.append(Problem(severity: .warning, fieldPath: "tls.certChain",
                                        reason: "certificate expires at \(formatter.string(from: leaf.notValidAfter)), in less than 7 days"))
            }
        }
        return problems
    }
}

/// When a PEM chain's first (leaf) certificate stops being valid, for the expiry metric.
public enum CertificateExpiry {
    /// The leaf's `notValidAfter`; nil when the chain holds no parsable certificate.
    public static func leafNotAfter(_ chain: String) -> Date? {
        guard !chain.isEmpty, let document = try? PEMDocument.parseMultiple(pemString: chain).first,
              let leaf = try? Certificate(derEncoded: document.derBytes)
        else { return nil }
        return leaf.notValidAfter
    }
}

/// The checks the translator makes on a TLS Secret, for tools that write one (`gloo-hashi secret
/// create tls`): each problem as `<field>: <reason>`, errors and warnings apart. Never echoes key material.
public enum TLSSecretValidation {
    public static func problems(_ tls: TlsSecret, at time: Double) -> (errors: [String], warnings: [String]) {
        let found = CertificateCheck.problems(tls, at: time)
        let text = { (problem: CertificateCheck.Problem) in "\(problem.fieldPath): \(problem.reason)" }
        return (found.filter { $0.severity == .error }.map(text), found.filter { $0.severity == .warning }.map(text))
    }
}
