import AsyncHTTPClient
import Foundation
import HashiHTTP
import NIOCore
import NIOHTTP1

/// Sends requests to one Consul agent. Blocking queries go through their own connection pool
/// so long-polls never hold up writes. The token travels in `X-Consul-Token` and never appears
/// in errors.
public final class ConsulHTTPClient: Sendable {
    public let configuration: ConsulClientConfiguration
    private let requests: HTTPClient
    private let longPolls: HTTPClient
    /// The URL prefix requests are sent to (the TLS server name as host when one is set).
    private let base: String

    /// An answer: status, query metadata and body.
    public struct Answer: Sendable {
        public var status: Int
        public var meta: ConsulQueryMeta
        public var body: [UInt8]
    }

    public init(_ configuration: ConsulClientConfiguration) throws {
        self.configuration = configuration
        var http = HTTPClient.Configuration()
        http.timeout = .init(connect: .seconds(5), read: nil)
        var base = configuration.baseURL
        if configuration.usesTLS {
            base = try ClientTLSSettings(
                caFile: configuration.caFile, clientCertificate: configuration.clientCertificate, clientKey: configuration.clientKey,
                serverName: configuration.tlsServerName, insecureSkipVerify: configuration.insecureSkipVerify
            ).apply(to: &http, baseURL: configuration.baseURL)
        }
        self.base = base
        requests = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        var polls = http
        polls.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maximumLongPolls)
        longPolls = HTTPClient(eventLoopGroupProvider: .singleton, configuration: polls)
    }

    /// Closes both connection pools.
    public func shutdown() async {
        try? await requests.shutdown()
        try? await longPolls.shutdown()
    }

    /// Sends a request; `blocking` uses the long-poll pool and allows for the wait.
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String?)] = [], body: [UInt8]? = nil, blocking: Bool = false
    ) async throws -> Answer {
        var items = query
        if let datacenter = configuration.datacenter, !datacenter.isEmpty, !items.contains(where: { $0.0 == "dc" }) {
            items.append(("dc", datacenter))
        }
        var url = base + path
        if !items.isEmpty {
            url += "?" + items.map { name, value in
                value.map { "\(name)=\(Self.escape($0))" } ?? name
            }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        if !configuration.token.revealed.isEmpty { request.headers.add(name: "X-Consul-Token", value: configuration.token.revealed) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        // The server may add up to wait/16 of jitter; allow for that and a margin.
        let timeout: TimeAmount = blocking
            ? .milliseconds(Int64(configuration.wait.components.seconds) * 1000 * 17 / 16 + 10_000) : .seconds(30)
        let response: HTTPClientResponse
        do {
            response = try await (blocking ? longPolls : requests).execute(request, timeout: timeout)
        } catch {
            throw ConsulError.unreachable(path: path, cause: ErrorCause(error))
        }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        } catch {
            throw ConsulError.unreachable(path: path, cause: ErrorCause(error, context: "reading the answer"))
        }
        let meta = ConsulQueryMeta(
            index: response.headers.first(name: "X-Consul-Index").flatMap { UInt64($0) } ?? 0,
            knownLeader: response.headers.first(name: "X-Consul-KnownLeader") != "false",
            lastContactMilliseconds: response.headers.first(name: "X-Consul-LastContact").flatMap { UInt64($0) } ?? 0)
        return Answer(status: Int(response.status.code), meta: meta, body: Array(buffer: bytes))
    }

    /// Raises Consul's error for anything but `expected` statuses.
    static func check(_ answer: Answer, _ method: HTTPMethod, _ path: String, accept expected: Set<Int> = [200]) throws {
        guard expected.contains(answer.status) else {
            let message = String(decoding: answer.body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ConsulError.http(status: answer.status, method: method.rawValue, path: path, message: message)
        }
    }

    /// Decodes a JSON answer; a body that does not fit is Consul's answer that could not be read.
    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], _ path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw ConsulError.malformed(path: path, cause: ErrorCause(error))
        }
    }

    /// Encodes a request body.
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? Array(JSONEncoder().encode(value))) ?? []
    }

    /// A duration in Consul's form (`15s`, `250ms`).
    static func consulDuration(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    /// Percent-encodes a query value (keys in paths are encoded by `pathEscape`).
    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// A KV key as a URL path (each segment encoded, slashes kept).
    static func pathEscape(_ key: String) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String($0) }
            .joined(separator: "/")
    }
}
