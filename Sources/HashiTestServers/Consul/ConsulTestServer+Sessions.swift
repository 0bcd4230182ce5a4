import Foundation
import Hummingbird

/// `/v1/session` (create, renew, destroy, info, list) and `/v1/txn`.
extension ConsulTestServer {
    static func addSessionRoutes(_ router: Router<BasicRequestContext>, state: ConsulKVState, token: String?) {
        router.put("/v1/session/create") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let body = CaseInsensitiveJSON(bytes: Array(buffer: try await request.body.collect(upTo: 1 << 20)))
            let ttl = body?.string("TTL").flatMap { $0.isEmpty ? nil : parseWait($0) }
            let lockDelay = body?.string("LockDelay").flatMap(parseWait)
                ?? body?.uint("LockDelay").map { Duration.nanoseconds(Int64($0)) }
            do {
                let id = try await state.createSession(
                    name: body?.string("Name") ?? "", ttl: ttl, behavior: body?.string("Behavior").flatMap { $0.isEmpty ? nil : $0 } ?? "release",
                    lockDelay: lockDelay, node: body?.string("Node") ?? "consul-test-server")
                return json(#"{"ID":"\#(id)"}"#, index: nil)
            } catch {
                return text("\(error)", status: .badRequest)
            }
        }
        router.put("/v1/session/renew/:id") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let id = context.parameters.get("id") ?? ""
            guard let session = await state.renewSession(id) else {
                return text("Session id '\(id)' not found", status: .notFound)
            }
            return json("[\(session.json)]", index: await state.raftIndex)
        }
        router.put("/v1/session/destroy/:id") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            await state.destroySession(context.parameters.get("id") ?? "")
            return json("true", index: nil)
        }
        router.get("/v1/session/info/:id") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let session = await state.session(context.parameters.get("id") ?? "")
            return json(session.map { "[\($0.json)]" } ?? "[]", index: await state.raftIndex)
        }
        router.get("/v1/session/list") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            return json("[" + (await state.allSessions()).map(\.json).joined(separator: ",") + "]", index: await state.raftIndex)
        }
    }

    static func addTxnRoute(_ router: Router<BasicRequestContext>, state: ConsulKVState, token: String?) {
        router.put("/v1/txn") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let bytes = Array(buffer: try await request.body.collect(upTo: 8 << 20))
            guard let items = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [Any] else {
                return text("Failed to parse body: not a JSON array", status: .badRequest)
            }
            guard items.count <= 64 else {
                return text("Transaction contains too many operations (\(items.count) > 64)", status: .contentTooLarge)
            }
            var operations: [ConsulKVState.TxnOperation] = []
            for item in items {
                guard let kv = CaseInsensitiveJSON(item)?.object("KV"), let verb = kv.string("Verb"), let key = kv.string("Key") else {
                    return text("Failed to parse body: only KV operations are supported", status: .badRequest)
                }
                let value = kv.string("Value").flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
                guard value.count <= 512 * 1024 else { return text("Value for key \"\(key)\" is too large", status: .contentTooLarge) }
                operations.append(.init(verb: verb, key: key, value: value, index: kv.uint("Index") ?? 0, session: kv.string("Session")))
            }
            switch await state.transact(operations) {
            case .applied(let pairs):
                let results = pairs.map { #"{"KV":\#(pairJSON($0))}"# }.joined(separator: ",")
                return json(#"{"Results":[\#(results)],"Errors":null}"#, index: await state.raftIndex)
            case .rolledBack(let errors):
                let listed = errors.map { #"{"OpIndex":\#($0.index),"What":"\#(escapeJSON($0.what))"}"# }.joined(separator: ",")
                return Response(status: .conflict, headers: headers(index: await state.raftIndex),
                                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"Results":null,"Errors":[\#(listed)]}"#)))
            }
        }
    }
}
