import Foundation
import Hummingbird
import NIOCore

/// Consul's HTTP API for tests, over a real socket on 127.0.0.1 (REFERENCE.md section 4): KV
/// get (single, `recurse`, `keys`, `raw`), blocking queries (`index`, `wait`) with
/// `X-Consul-Index` on every answer, 404s with headers, CAS put and delete, the 512 KiB limit,
/// `?stale&consistent` and `?cached&consistent` refused, ACL tokens when configured; sessions
/// with TTL, lock delay, acquire and release; txn; the catalog and health per datacenter. Faults: failing answers,
/// latency, dropped connections, a restart with lower indexes. Every request is logged.
public final class ConsulTestServer: Sendable {
    public let token: String?
    private let running: TestServerRun
    /// `127.0.0.1:<port>`.
    public let address: String

    /// Starts listening on an ephemeral port (or `port`); over TLS when `tls` is given. Session
    /// TTLs and lock delays run on `sessionClock` (blocking-query waits on real time).
    public static func start(
        port: Int = 0, token: String? = nil, tls: TestServerTLS? = nil, sessionClock: any Clock<Duration> = ContinuousClock()
    ) async throws -> ConsulTestServer {
        let state = ConsulKVState()
        await state.setSessionClock(sessionClock)
        let (running, actual) = try await TestServerLauncher.launch(
            Self.router(state: state, token: token), name: "consul-test-server", port: port, tls: tls)
        // Sessions whose TTL ran out are invalidated even when nobody asks.
        let reaper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                await state.expireSessions()
            }
        }
        return ConsulTestServer(state: state, token: token, running: running, reaper: reaper, address: "127.0.0.1:\(actual)")
    }

    private init(state: ConsulKVState, token: String?, running: TestServerRun, reaper: Task<Void, Never>, address: String) {
        self.stateStorage = state
        self.token = token
        self.running = running
        self.reaper = reaper
        self.address = address
    }

    private let reaper: Task<Void, Never>

    private let stateStorage: ConsulKVState

    /// Stops listening; open long-polls end.
    public func stop() async {
        reaper.cancel()
        await stateStorage.shutdown()
        await running.stop()
    }

    // MARK: Test controls

    /// Puts a value as `consul kv put` would; returns its ModifyIndex.
    @discardableResult
    public func put(_ key: String, _ text: String) async -> UInt64 {
        _ = await stateStorage.put(key, value: Array(text.utf8), cas: nil, flags: 0)
        return await stateStorage.index(prefix: key, recurse: false)
    }

    public func delete(_ key: String) async {
        _ = await stateStorage.delete(key, recurse: false, cas: nil)
    }

    /// The stored value of `key`, if any.
    public func value(_ key: String) async -> String? {
        await stateStorage.read(prefix: key, recurse: false).first.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// The requests received so far (method, path, query).
    public func requests() async -> [(method: String, path: String, query: String)] {
        await stateStorage.requests.map { ($0.method, $0.path, $0.query) }
    }

    /// How many blocking queries wait for a change now.
    public func blockedQueries() async -> Int { await stateStorage.blockedQueries }

    /// Waits (at most `timeout`) until at least `count` blocking queries wait for a change, so a
    /// test knows its watches are established; false when the timeout passed first.
    public func waitForBlockedQueries(_ count: Int, timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(timeout: timeout) { await self.stateStorage.blockedQueries >= count }
    }

    public func clearRequestLog() async { await stateStorage.clearLog() }

    /// The next `count` requests are answered with `status` (500: an agent in trouble).
    public func failNext(_ count: Int, status: Int = 500) async { await stateStorage.failNext(count, status: status) }

    /// The next `count` answers break off: the connection closes before the body is complete.
    public func dropNext(_ count: Int) async { await stateStorage.dropNext(count) }

    /// The live sessions' IDs and names.
    public func sessions() async -> [(id: String, name: String)] {
        await stateStorage.allSessions().map { ($0.id, $0.name) }
    }

    /// Registers an instance of `service` as `/v1/catalog/register` would, with one service check.
    public func registerService(
        _ service: String, id: String, node: String, address: String, port: Int, tags: [String] = [], datacenter: String? = nil,
        status: String = "passing"
    ) async {
        await stateStorage.register(.init(
            datacenter: datacenter, node: node, address: address,
            service: .init(node: node, id: id, name: service, tags: tags, address: address, port: port, meta: [:], weights: (1, 1)),
            checks: [.init(node: node, id: "service:\(id)", name: "service check", status: status, serviceID: id)]))
    }

    /// One instance for `registerServices`.
    public struct Instance: Sendable {
        public var service: String
        public var id: String
        public var node: String
        public var address: String
        public var port: Int
        public var tags: [String]
        public var datacenter: String?
        public var status: String

        public init(service: String, id: String, node: String, address: String, port: Int, tags: [String] = [],
                    datacenter: String? = nil, status: String = "passing") {
            self.service = service
            self.id = id
            self.node = node
            self.address = address
            self.port = port
            self.tags = tags
            self.datacenter = datacenter
            self.status = status
        }
    }

    /// Registers many instances at one index, each with one service check (set-up at scale).
    public func registerServices(_ instances: [Instance]) async {
        await stateStorage.register(instances.map { instance in
            .init(datacenter: instance.datacenter, node: instance.node, address: instance.address,
                  service: .init(node: instance.node, id: instance.id, name: instance.service, tags: instance.tags,
                                 address: instance.address, port: instance.port, meta: [:], weights: (1, 1)),
                  checks: [.init(node: instance.node, id: "service:\(instance.id)", name: "service check", status: instance.status,
                                 serviceID: instance.id)])
        })
    }

    /// Removes instance `id` from `node`, with its checks.
    public func deregisterService(node: String, id: String, datacenter: String? = nil) async {
        await stateStorage.deregister(datacenter: datacenter, node: node, serviceID: id, checkID: nil)
    }

    /// Sets the state of the service check of instance `id` (passing, warning or critical).
    public func setServiceCheck(node: String, id: String, status: String, datacenter: String? = nil) async {
        await stateStorage.register(.init(datacenter: datacenter, node: node, address: "", service: nil,
                                          checks: [.init(node: node, id: "service:\(id)", name: "service check", status: status, serviceID: id)]))
    }

    /// Every answer waits this long first.
    public func setLatency(_ latency: Duration) async { await stateStorage.setLatency(latency) }

    /// A snapshot restore: indexes go back to `index` (the data stays).
    public func restart(lowerIndexTo index: UInt64) async { await stateStorage.restart(lowerIndexTo: index) }

    // MARK: Routes

    static func router(state: ConsulKVState, token: String?) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/v1/status/leader") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            return json(#""127.0.0.1:8300""#, index: nil)
        }
        router.get("/v1/kv/**") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            return await readKV(request, key: key(context), state: state)
        }
        router.put("/v1/kv/**") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
            guard body.readableBytes <= 512 * 1024 else {
                return text("Value exceeds 524288 byte limit", status: .contentTooLarge)
            }
            let query = request.uri.queryParameters
            let cas = query["cas"].flatMap { UInt64(String($0)) }
            let flags = query["flags"].flatMap { UInt64(String($0)) } ?? 0
            let value = Array(buffer: body)
            let done: Bool
            do {
                if let session = query["acquire"] {
                    done = try await state.acquire(key(context), session: String(session), value: value, flags: flags)
                } else if let session = query["release"] {
                    done = try await state.release(key(context), session: String(session), value: value, flags: flags)
                } else {
                    done = await state.put(key(context), value: value, cas: cas, flags: flags)
                }
            } catch {
                return text("\(error)", status: .internalServerError)
            }
            return json(done ? "true" : "false", index: nil)
        }
        router.delete("/v1/kv/**") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let query = request.uri.queryParameters
            let cas = query["cas"].flatMap { UInt64(String($0)) }
            let done = await state.delete(key(context), recurse: query["recurse"] != nil, cas: cas)
            return json(done ? "true" : "false", index: nil)
        }
        // Not Consul's: the request log, for tests that run the server as a process.
        router.get("/_test/requests") { _, _ -> Response in
            let items = await state.requests.map {
                #"{"method":"\#($0.method)","path":"\#(escapeJSON($0.path))","query":"\#(escapeJSON($0.query))"}"#
            }
            return json("[" + items.joined(separator: ",") + "]", index: nil)
        }
        // Not Consul's: how many blocking queries are parked, so a test can wait for a watch.
        router.get("/_test/blocked") { _, _ -> Response in json("\(await state.blockedQueries)", index: nil) }
        addSessionRoutes(router, state: state, token: token)
        addTxnRoute(router, state: state, token: token)
        addCatalogRoutes(router, state: state, token: token)
        return router
    }

    private static func key(_ context: BasicRequestContext) -> String {
        context.parameters.getCatchAll().joined(separator: "/").removingPercentEncoding ?? ""
    }

    /// Logs the request, applies faults and latency, and checks the token.
    static func admit(_ request: Request, state: ConsulKVState, token: String?) async -> Response? {
        let failure = await state.log(.init(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? ""))
        let latency = await state.latency
        if latency > .zero { try? await Task.sleep(for: latency) }
        if let failure { return text("injected failure", status: .init(code: failure)) }
        if await state.takeDrop() { return dropped() }
        if let token {
            let given = request.headers[.init("X-Consul-Token")!]
                ?? request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            if given != token { return text("Permission denied: token lacks permission", status: .forbidden) }
        }
        let query = request.uri.queryParameters
        if query["stale"] != nil && query["consistent"] != nil {
            return text("Cannot specify ?stale with ?consistent, conflicting semantics.", status: .badRequest)
        }
        if query["cached"] != nil && query["consistent"] != nil {
            return text("Cannot specify ?cached with ?consistent, conflicting semantics.", status: .badRequest)
        }
        return nil
    }

    private static func readKV(_ request: Request, key: String, state: ConsulKVState) async -> Response {
        let query = request.uri.queryParameters
        let recurse = query["recurse"] != nil || query["keys"] != nil
        if let indexText = query["index"], let index = UInt64(String(indexText)), index > 0 {
            let wait = query["wait"].flatMap { parseWait(String($0)) } ?? .seconds(300)
            await state.block(prefix: key, recurse: recurse, above: index, wait: min(wait, .seconds(600)))
        }
        let index = await state.index(prefix: key, recurse: recurse)
        if query["keys"] != nil {
            guard let keys = await state.keysJSON(prefix: key) else {
                return Response(status: .notFound, headers: headers(index: index))
            }
            return Response(status: .ok, headers: headers(index: index), body: ResponseBody(byteBuffer: keys))
        }
        let found = await state.read(prefix: key, recurse: recurse)
        if found.isEmpty { return Response(status: .notFound, headers: headers(index: index)) }
        if query["raw"] != nil, let pair = found.first {
            return Response(status: .ok, headers: headers(index: index), body: ResponseBody(byteBuffer: ByteBuffer(bytes: pair.value)))
        }
        let body = await state.jsonArray(found, encode: pairJSON)
        return Response(status: .ok, headers: headers(index: index), body: ResponseBody(byteBuffer: body))
    }

    /// One KV pair as Consul writes it.
    static func pairJSON(_ pair: ConsulKVState.Pair) -> String {
        #"{"Key":"\#(escapeJSON(pair.key))","Value":\#(pair.value.isEmpty ? "null" : "\"\(Data(pair.value).base64EncodedString())\""),"#
            + #""CreateIndex":\#(pair.createIndex),"ModifyIndex":\#(pair.modifyIndex),"LockIndex":\#(pair.lockIndex),"Flags":\#(pair.flags)"#
            + (pair.session.map { #","Session":"\#($0)"}"# } ?? "}")
    }

    /// `5m`, `30s`, `250ms`, `1h` as a Duration (Go's duration syntax for the common units).
    static func parseWait(_ text: String) -> Duration? {
        for (suffix, unit) in [("ms", Duration.milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600))]
        where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)) else { return nil }
            return unit * number
        }
        return Double(text).map { Duration.seconds($0) }
    }

    /// An answer that breaks off: the head promises a body, the connection closes instead.
    private static func dropped() -> Response {
        struct ConnectionDropped: Error {}
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(contentLength: 64) { _ in throw ConnectionDropped() })
    }

    static func headers(index: UInt64?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let index {
            fields[.init("X-Consul-Index")!] = String(index)
            fields[.init("X-Consul-KnownLeader")!] = "true"
            fields[.init("X-Consul-LastContact")!] = "0"
        }
        return fields
    }

    static func json(_ body: String, index: UInt64?) -> Response {
        Response(status: .ok, headers: headers(index: index), body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func escapeJSON(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

extension ConsulKVState {
    func setLatency(_ latency: Duration) { self.latency = latency }
}
