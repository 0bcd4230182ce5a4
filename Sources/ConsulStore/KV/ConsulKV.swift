import AsyncHTTPClient
import Foundation
import HashiHTTP
import NIOHTTP1

/// Consul's KV endpoints (`/v1/kv`): reads with query metadata, CAS writes and deletes.
public struct ConsulKV: Sendable {
    /// One stored pair as Consul returns it.
    public struct Pair: Sendable, Hashable, Decodable {
        public var key: String
        public var value: [UInt8]
        public var createIndex: UInt64
        public var modifyIndex: UInt64
        public var flags: UInt64
        public var session: String?

        enum CodingKeys: String, CodingKey {
            case key = "Key", value = "Value", createIndex = "CreateIndex", modifyIndex = "ModifyIndex", flags = "Flags"
            case session = "Session"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            // Base64, or null for a key stored without a value.
            let encoded = try container.decodeIfPresent(String.self, forKey: .value)
            guard let bytes = encoded.map({ Data(base64Encoded: $0) }) ?? Data() else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: "Value is not base64")
            }
            value = Array(bytes)
            createIndex = try container.decodeIfPresent(UInt64.self, forKey: .createIndex) ?? 0
            modifyIndex = try container.decodeIfPresent(UInt64.self, forKey: .modifyIndex) ?? 0
            flags = try container.decodeIfPresent(UInt64.self, forKey: .flags) ?? 0
            session = try container.decodeIfPresent(String.self, forKey: .session)
        }

        public init(key: String, value: [UInt8], createIndex: UInt64, modifyIndex: UInt64, flags: UInt64 = 0) {
            self.key = key
            self.value = value
            self.createIndex = createIndex
            self.modifyIndex = modifyIndex
            self.flags = flags
        }
    }

    /// Consul's limit on a value.
    public static let maximumValueSize = 512 * 1024

    public let client: ConsulHTTPClient

    public init(client: ConsulHTTPClient) { self.client = client }

    /// Every pair under `prefix` (recursive); empty with its index when there is none. With
    /// `index`, a blocking query that returns after a change or the wait. `known` gives the value
    /// already decoded for a key at a ModifyIndex, so unchanged values are not decoded again.
    public func list(
        prefix: String, index: UInt64? = nil, known: (String, UInt64) -> [UInt8]? = { _, _ in nil }
    ) async throws -> ([Pair], ConsulQueryMeta) {
        var query: [(String, String?)] = [("recurse", nil)]
        query += consistency + blocking(index)
        let path = "/v1/kv/" + ConsulHTTPClient.pathEscape(prefix)
        let answer = try await client.send(.GET, path, query: query, blocking: index != nil)
        if answer.status == 404 { return ([], answer.meta) }
        try ConsulHTTPClient.check(answer, .GET, path)
        do {
            return (try KVPairScanner.pairs(answer.body, known: known), answer.meta)
        } catch {
            throw ConsulError.malformed(path: path, cause: ErrorCause(error))
        }
    }

    /// The keys under `prefix` (`?keys`), as Consul's JSON array of strings (unparsed, so a caller
    /// can tell an unchanged answer by its bytes); `[]` when there is none. With `index`, a
    /// blocking query.
    public func keys(prefix: String, index: UInt64? = nil) async throws -> ([UInt8], ConsulQueryMeta) {
        var query: [(String, String?)] = [("keys", nil)]
        query += consistency + blocking(index)
        let path = "/v1/kv/" + ConsulHTTPClient.pathEscape(prefix)
        let answer = try await client.send(.GET, path, query: query, blocking: index != nil)
        if answer.status == 404 { return (Array("[]".utf8), answer.meta) }
        try ConsulHTTPClient.check(answer, .GET, path)
        return (answer.body, answer.meta)
    }

    /// Parses an answer of `keys(prefix:index:)`.
    public static func parseKeys(_ body: [UInt8]) throws -> [String] {
        try ConsulHTTPClient.decode([String].self, body, "/v1/kv?keys")
    }

    /// The pair stored under `key`, or nil. With `index`, a blocking query.
    public func get(_ key: String, index: UInt64? = nil) async throws -> (Pair?, ConsulQueryMeta) {
        let path = "/v1/kv/" + ConsulHTTPClient.pathEscape(key)
        let query = consistency + blocking(index)
        let answer = try await client.send(.GET, path, query: query, blocking: index != nil)
        if answer.status == 404 { return (nil, answer.meta) }
        try ConsulHTTPClient.check(answer, .GET, path)
        return (try ConsulHTTPClient.decode([Pair].self, answer.body, path).first { $0.key == key }, answer.meta)
    }

    /// Writes `value` if the key's ModifyIndex is `cas` (0: only if absent); nil cas writes
    /// unconditionally. False when the compare failed.
    public func put(_ key: String, value: [UInt8], cas: UInt64?) async throws -> Bool {
        guard value.count <= Self.maximumValueSize else { throw ConsulError.valueTooLarge(key: key, size: value.count) }
        let path = "/v1/kv/" + ConsulHTTPClient.pathEscape(key)
        let answer = try await client.send(.PUT, path, query: cas.map { [("cas", String($0))] } ?? [], body: value)
        try ConsulHTTPClient.check(answer, .PUT, path)
        return try result(answer, path)
    }

    /// Takes the lock `key` for `session`, writing `value`. False when another session holds it
    /// (or the lock delay of a lost session still runs).
    public func acquire(_ key: String, session: String, value: [UInt8]) async throws -> Bool {
        let path = "/v1/kv/" + ConsulHTTPClient.pathEscape(key)
        let answer = try await client.send(.PUT, path, query: [("acquire", session)], body: value)
        try ConsulHTTPClient.check(answer, .PUT, path)
        return try result(answer, path)
    }

    /// Releases the lock `key` held by `session` (the key stays, without a session).
    public func release(_ key: String, session: String) async throws -> Bool {
        let path = "/v1/kv/" + ConsulHTTPClient.pathEscape(key)
        let answer = try await client.send(.PUT, path, query: [("release", session)], body: [])
        try ConsulHTTPClient.check(answer, .PUT, path)
        return try result(answer, path)
    }

    /// Deletes `key` if its ModifyIndex is `cas` (nil: whatever it is). False when the compare failed.
    public func delete(_ key: String, cas: UInt64?) async throws -> Bool {
        let path = "/v1/kv/" + ConsulHTTPClient.pathEscape(key)
        let answer = try await client.send(.DELETE, path, query: cas.map { [("cas", String($0))] } ?? [])
        try ConsulHTTPClient.check(answer, .DELETE, path)
        return try result(answer, path)
    }

    private var consistency: [(String, String?)] {
        switch client.configuration.consistency {
        case .default: []
        case .stale: [("stale", nil)]
        case .consistent: [("consistent", nil)]
        }
    }

    /// `index` and `wait` for a blocking query; nothing for a plain read.
    private func blocking(_ index: UInt64?) -> [(String, String?)] {
        guard let index else { return [] }
        return [("index", String(index)), ("wait", "\(client.configuration.wait.components.seconds)s")]
    }

    func result(_ answer: ConsulHTTPClient.Answer, _ path: String) throws -> Bool {
        switch String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) {
        case "true": true
        case "false": false
        case let other: throw ConsulError.malformed(path: path, cause: "expected true or false, got '\(other.prefix(40))'")
        }
    }

}
