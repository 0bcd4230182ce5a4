import AsyncHTTPClient
import Foundation
import GlooAPI
import HashiHTTP
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends requests to Vault with the current token (`X-Vault-Token`) and namespace
/// (`X-Vault-Namespace`). Answers Vault gives while sealed (503), rate-limited (429) or failing
/// (5xx) are tried again with backoff; errors carry Vault's messages, never the token.
public final class VaultHTTPClient: Sendable {
    public let configuration: VaultClientConfiguration
    private let http: HTTPClient
    private let base: String
    private let token: Mutex<SensitiveString>
    /// The clock retries wait on; the secret store and authentication on this client use it too.
    public let timeline: Timeline

    /// An answer: status and the JSON body as an object (empty when there is none).
    public struct Answer: @unchecked Sendable {
        public var status: Int
        public var json: [String: Any]
    }

    public init(_ configuration: VaultClientConfiguration, token: SensitiveString = SensitiveString(""),
                clock: any Clock<Duration> = ContinuousClock()) throws {
        self.configuration = configuration
        timeline = Timeline(clock)
        self.token = Mutex(token)
        var http = HTTPClient.Configuration()
        http.timeout = .init(connect: .seconds(5), read: .seconds(30))
        var base = configuration.baseURL
        if configuration.usesTLS {
            base = try ClientTLSSettings(
                caFile: configuration.caCert, caDirectory: configuration.caPath, clientCertificate: configuration.clientCertificate,
                clientKey: configuration.clientKey, serverName: configuration.tlsServerName, insecureSkipVerify: configuration.skipVerify
            ).apply(to: &http, baseURL: configuration.baseURL)
        }
        self.base = base
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Uses `token` from the next request on (a login or a re-read token file).
    public func setToken(_ token: SensitiveString) { self.token.withLock { $0 = token } }

    public func shutdown() async { try? await http.shutdown() }

    /// Sends `method` to `/v1/<path>` and returns the answer when its status is in `accept`;
    /// otherwise the matching `VaultError` (transient ones after the configured attempts).
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [String: Any]? = nil, accept: Set<Int> = [200, 204]
    ) async throws -> Answer {
        var backoff = Backoff(initial: configuration.retryPause, maximum: .seconds(30), jitter: 0)
        var attempt = 1
        while true {
            do {
                return try await sendOnce(method, path, query: query, body: body, accept: accept)
            } catch let error as VaultError where error.isTransient && attempt < configuration.attempts {
                try await timeline.sleep(for: backoff.next())
                attempt += 1
            }
        }
    }

    private func sendOnce(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: [String: Any]?, accept: Set<Int>
    ) async throws -> Answer {
        var url = base + "/v1/" + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0.1)" }
                .joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        let current = token.withLock { $0 }
        if !current.revealed.isEmpty { request.headers.add(name: "X-Vault-Token", value: current.revealed) }
        if let namespace = configuration.namespace, !namespace.isEmpty { request.headers.add(name: "X-Vault-Namespace", value: namespace) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        } catch {
            throw VaultError.unreachable(path: path, cause: ErrorCause(error))
        }
        let status = Int(response.status.code)
        let data = Data(bytes.readableBytesView)
        let json: [String: Any]? = data.isEmpty ? [:] : ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])
        guard accept.contains(status) else {
            let errors: [String] = (json?["errors"] as? [String]) ?? []
            switch status {
            case 403: throw VaultError.forbidden(method: method.rawValue, path: path, errors: errors)
            case 503: throw VaultError.sealed(path: path)
            default: throw VaultError.http(status: status, method: method.rawValue, path: path, errors: errors)
            }
        }
        guard let json else {
            throw VaultError.malformed(path: path, cause: "not a JSON object")
        }
        return Answer(status: status, json: json)
    }
}
