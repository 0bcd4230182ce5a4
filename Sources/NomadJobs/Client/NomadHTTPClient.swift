import AsyncHTTPClient
import Foundation
import HashiHTTP
import NIOCore
import NIOHTTP1

/// Sends requests to one Nomad agent (REFERENCE.md section 6): the token in `X-Nomad-Token`,
/// `region` and `namespace` as query parameters, blocking queries (`?index=&wait=`, answered with
/// `X-Nomad-Index`) on their own connection pool so they never hold up other requests.
public final class NomadHTTPClient: Sendable {
    public let configuration: NomadClientConfiguration
    private let requests: HTTPClient
    private let longPolls: HTTPClient
    private let base: String

    /// An answer: status, the `X-Nomad-Index` header (0 when absent) and the body.
    public struct Answer: Sendable {
        public var status: Int
        public var index: UInt64
        public var body: [UInt8]
    }

    public init(_ configuration: NomadClientConfiguration) throws {
        self.configuration = configuration
        var http = HTTPClient.Configuration()
        http.timeout = .init(connect: .seconds(5), read: nil)
        base = configuration.usesTLS ? try configuration.tls.apply(to: &http, baseURL: configuration.baseURL) : configuration.baseURL
        requests = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        var polls = http
        polls.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        longPolls = HTTPClient(eventLoopGroupProvider: .singleton, configuration: polls)
    }

    /// Closes both connection pools.
    public func shutdown() async {
        try? await requests.shutdown()
        try? await longPolls.shutdown()
    }

    /// Sends a request and checks its status; with `index`, a blocking query that waits up to
    /// the configured `wait` for a change past that index.
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil, index: UInt64? = nil,
        accept: Set<Int> = [200]
    ) async throws -> Answer {
        var items = query
        if let region = configuration.region, !items.contains(where: { $0.0 == "region" }) { items.append(("region", region)) }
        if let namespace = configuration.namespace, !items.contains(where: { $0.0 == "namespace" }) { items.append(("namespace", namespace)) }
        if let index {
            items.append(("index", String(index)))
            items.append(("wait", "\(configuration.wait.components.seconds)s"))
        }
        var url = base + "/v1/" + path
        if !items.isEmpty {
            url += "?" + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? $0.1)" }
                .joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        if !configuration.token.revealed.isEmpty { request.headers.add(name: "X-Nomad-Token", value: configuration.token.revealed) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        // Nomad adds up to wait/16 of jitter to a blocking query; allow for it and a margin.
        let timeout: TimeAmount = index != nil
            ? .milliseconds(Int64(configuration.wait.components.seconds) * 1000 * 17 / 16 + 10_000) : .seconds(30)
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await (index != nil ? longPolls : requests).execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        } catch {
            throw NomadError.unreachable(path: path, cause: ErrorCause(error))
        }
        let answer = Answer(status: Int(response.status.code),
                            index: response.headers.first(name: "X-Nomad-Index").flatMap { UInt64($0) } ?? 0,
                            body: Array(buffer: bytes))
        guard accept.contains(answer.status) else {
            let message = String(decoding: answer.body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if answer.status == 403 { throw NomadError.forbidden(method: method.rawValue, path: path, message: message) }
            throw NomadError.http(status: answer.status, method: method.rawValue, path: path, message: message)
        }
        return answer
    }

    /// Decodes a JSON answer; a body that does not fit is Nomad's answer that could not be read.
    public static func decode<T: Decodable>(_ type: T.Type, _ answer: Answer, _ path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(answer.body))
        } catch {
            throw NomadError.malformed(path: path, cause: ErrorCause(error))
        }
    }
}
