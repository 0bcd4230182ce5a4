import Foundation
import GlooAPI

/// Vault's PKI secrets engine (REFERENCE.md section 5): certificates issued by a role. Vault keeps
/// no copy of the private key, so the caller holds it (in memory only) and asks again before expiry.
public struct VaultPKI: Sendable {
    /// What Vault issued.
    public struct Issued: Sendable, Hashable {
        public var certificate: String
        public var privateKey: SensitiveString
        /// The issuing CA and the rest of the chain, leaf's issuer first.
        public var caChain: [String]
        public var serialNumber: String
        /// Seconds since 1970.
        public var expiration: Double
    }

    public let client: VaultHTTPClient

    public init(client: VaultHTTPClient) { self.client = client }

    /// Issues a certificate for `commonName` (and `altNames`, `ipSANs`) from `role` on `mount`.
    public func issue(mount: String, role: String, commonName: String, altNames: [String] = [], ipSANs: [String] = [],
                      ttl: Duration? = nil) async throws -> Issued {
        var body: [String: Any] = ["common_name": commonName]
        if !altNames.isEmpty { body["alt_names"] = altNames.joined(separator: ",") }
        if !ipSANs.isEmpty { body["ip_sans"] = ipSANs.joined(separator: ",") }
        if let ttl { body["ttl"] = "\(ttl.components.seconds)s" }
        let path = "\(mount)/issue/\(role)"
        let answer = try await client.send(.POST, path, body: body)
        guard let data = answer.json["data"] as? [String: Any], let certificate = data["certificate"] as? String,
              let key = data["private_key"] as? String
        else { throw VaultError.malformed(path: path, cause: "no certificate or private_key in the answer") }
        // Vault answers the expiration as a number, some proxies as a string.
        let expiration = (data["expiration"] as? Double) ?? (data["expiration"] as? String).flatMap(Double.init) ?? 0
        let chain = (data["ca_chain"] as? [String]) ?? [(data["issuing_ca"] as? String)].compactMap { $0 }
        return Issued(certificate: certificate, privateKey: SensitiveString(key), caChain: chain,
                      serialNumber: data["serial_number"] as? String ?? "", expiration: expiration)
    }
}
