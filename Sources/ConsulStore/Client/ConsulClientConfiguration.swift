import Foundation
import GlooAPI

/// How to reach a Consul agent: address (`host:port` or a URL), token, datacenter, TLS and the
/// blocking-query wait (REFERENCE.md section 4).
public struct ConsulClientConfiguration: Sendable, Hashable {
    public enum Consistency: String, Sendable, Hashable {
        case `default`, stale, consistent
    }

    /// `http://127.0.0.1:8500` form: scheme, host and port.
    public var baseURL: String
    public var token: SensitiveString
    public var datacenter: String?
    public var consistency = Consistency.default
    /// How long a blocking query may wait (Consul's default 5 minutes, at most 10).
    public var wait: Duration = .seconds(300)
    public var caFile: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var tlsServerName: String?
    public var insecureSkipVerify = false
    /// How many blocking queries may be open at once (one per datacenter and referenced service
    /// for discovery, plus the KV watch and the leader lock). Consul's agent allows 200
    /// connections per client address by default (`limits.http_max_conns_per_client`).
    public var maximumLongPolls = 1024

    /// Parses `address` as Consul's tools do: `host:port` (http, or https when `ssl`), or a URL.
    public init?(address: String, ssl: Bool = false, token: SensitiveString = SensitiveString("")) {
        let trimmed = address.hasSuffix("/") ? String(address.dropLast()) : address
        if trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") {
            baseURL = trimmed
        } else if trimmed.hasPrefix("unix://") || trimmed.isEmpty {
            return nil
        } else {
            baseURL = (ssl ? "https://" : "http://") + trimmed
        }
        guard let url = URL(string: baseURL), url.host != nil else { return nil }
        self.token = token
    }

    public var usesTLS: Bool { baseURL.hasPrefix("https://") }
}
