import Foundation

/// Consul's transaction endpoint (`PUT /v1/txn`): KV operations applied all or none.
public struct ConsulTxn: Sendable {
    /// One KV operation (Consul's `KV.Verb`).
    public enum Operation: Sendable, Hashable {
        case set(key: String, value: [UInt8])
        /// Set if the ModifyIndex is `index` (0: only if absent).
        case cas(key: String, value: [UInt8], index: UInt64)
        case get(key: String)
        case delete(key: String)
        case deleteCAS(key: String, index: UInt64)
        /// Fails the transaction unless the key's ModifyIndex is `index`.
        case checkIndex(key: String, index: UInt64)
    }

    /// Why Consul rolled a transaction back: the operation and its reason.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var errors: [(index: Int, what: String)]
        public static func == (lhs: Failure, rhs: Failure) -> Bool {
            lhs.errors.map(\.index) == rhs.errors.map(\.index) && lhs.errors.map(\.what) == rhs.errors.map(\.what)
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(errors.map(\.what)) }
        public var description: String {
            "Consul rolled the transaction back: " + errors.map { "operation \($0.index): \($0.what)" }.joined(separator: "; ")
        }
    }

    /// Consul's limit on operations per transaction (64; newer versions allow 128).
    public static let maximumOperations = 64

    public let client: ConsulHTTPClient

    public init(client: ConsulHTTPClient) { self.client = client }

    /// Applies `operations` atomically; returns the pairs the operations produced (gets and
    /// sets), or throws `Failure` when Consul rolled it back.
    public func apply(_ operations: [Operation]) async throws -> [ConsulKV.Pair] {
        guard operations.count <= Self.maximumOperations else {
            throw ConsulError.malformed(path: "/v1/txn", cause: "\(operations.count) operations; Consul takes at most \(Self.maximumOperations)")
        }
        for case .set(let key, let value) in operations where value.count > ConsulKV.maximumValueSize {
            throw ConsulError.valueTooLarge(key: key, size: value.count)
        }
        for case .cas(let key, let value, _) in operations where value.count > ConsulKV.maximumValueSize {
            throw ConsulError.valueTooLarge(key: key, size: value.count)
        }
        let path = "/v1/txn"
        let answer = try await client.send(.PUT, path, body: ConsulHTTPClient.encode(operations.map(Self.body)))
        struct Result: Decodable {
            struct Item: Decodable { var KV: ConsulKV.Pair? }
            struct Problem: Decodable { var OpIndex: Int; var What: String }
            var Results: [Item]?
            var Errors: [Problem]?
        }
        if answer.status == 409 {
            let result = try ConsulHTTPClient.decode(Result.self, answer.body, path)
            throw Failure(errors: (result.Errors ?? []).map { ($0.OpIndex, $0.What) })
        }
        try ConsulHTTPClient.check(answer, .PUT, path)
        return try ConsulHTTPClient.decode(Result.self, answer.body, path).Results?.compactMap(\.KV) ?? []
    }

    private struct Body: Encodable {
        struct KV: Encodable {
            var Verb: String
            var Key: String
            var Value: String?
            var Index: UInt64?
        }
        var KV: KV
    }

    private static func body(_ operation: Operation) -> Body {
        let kv: Body.KV = switch operation {
        case .set(let key, let value): .init(Verb: "set", Key: key, Value: Data(value).base64EncodedString())
        case .cas(let key, let value, let index): .init(Verb: "cas", Key: key, Value: Data(value).base64EncodedString(), Index: index)
        case .get(let key): .init(Verb: "get", Key: key)
        case .delete(let key): .init(Verb: "delete", Key: key)
        case .deleteCAS(let key, let index): .init(Verb: "delete-cas", Key: key, Index: index)
        case .checkIndex(let key, let index): .init(Verb: "check-index", Key: key, Index: index)
        }
        return Body(KV: kv)
    }
}
