import Foundation
import GlooAPI
import HashiHTTP

/// How to reach Nomad (REFERENCE.md section 6): address, ACL token, region, namespace, TLS, and
/// how long a blocking query waits. From flags, else `NOMAD_*`, else defaults.
public struct NomadClientConfiguration: Sendable, Hashable {
    /// `http://127.0.0.1:4646` form.
    public var baseURL: String
    public var token: SensitiveString
    public var region: String?
    /// The namespace jobs and services are read in (empty: Nomad's `default`).
    public var namespace: String?
    public var tls: ClientTLSSettings
    /// How long a blocking query may wait (Nomad caps it at 10 minutes).
    public var wait: Duration = .seconds(300)

    /// Parses an address as Nomad's CLI does: a URL, or `host:port` (http).
    public init?(address: String, token: SensitiveString = SensitiveString(""), region: String? = nil, namespace: String? = nil,
                 tls: ClientTLSSettings = ClientTLSSettings()) {
        let trimmed = address.hasSuffix("/") ? String(address.dropLast()) : address
        baseURL = trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") ? trimmed : "http://" + trimmed
        guard !trimmed.isEmpty, let url = URL(string: baseURL), url.host != nil else { return nil }
        self.token = token
        self.region = region
        self.namespace = namespace
        self.tls = tls
    }

    /// From the environment as Nomad's CLI reads it (`NOMAD_ADDR`, `NOMAD_TOKEN`, `NOMAD_REGION`,
    /// `NOMAD_NAMESPACE`, `NOMAD_CACERT`, `NOMAD_CAPATH`, `NOMAD_CLIENT_CERT`, `NOMAD_CLIENT_KEY`,
    /// `NOMAD_TLS_SERVER_NAME`, `NOMAD_SKIP_VERIFY`), with `address` winning over `NOMAD_ADDR`.
    public static func fromEnvironment(address: String? = nil, _ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> NomadClientConfiguration?
    {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let tls = ClientTLSSettings(
            caFile: value("NOMAD_CACERT"), caDirectory: value("NOMAD_CAPATH"), clientCertificate: value("NOMAD_CLIENT_CERT"),
            clientKey: value("NOMAD_CLIENT_KEY"), serverName: value("NOMAD_TLS_SERVER_NAME"),
            insecureSkipVerify: ["1", "true"].contains(value("NOMAD_SKIP_VERIFY")?.lowercased() ?? ""))
        return NomadClientConfiguration(
            address: address ?? value("NOMAD_ADDR") ?? "http://127.0.0.1:4646", token: SensitiveString(value("NOMAD_TOKEN") ?? ""),
            region: value("NOMAD_REGION"), namespace: value("NOMAD_NAMESPACE"), tls: tls)
    }

    public var usesTLS: Bool { baseURL.hasPrefix("https://") }
}
