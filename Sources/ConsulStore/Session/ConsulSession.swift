import Foundation

/// Consul's session endpoints (`/v1/session`): the lease a lock is held by.
public struct ConsulSession: Sendable {
    /// What happens to the locks of a session that is invalidated.
    public enum Behavior: String, Sendable, Hashable, Codable {
        case release, delete
    }

    /// A new session's settings (Consul: TTL 10s to 24h; LockDelay defaults to 15s).
    public struct Options: Sendable, Hashable {
        public var name: String
        public var ttl: Duration
        public var behavior: Behavior
        public var lockDelay: Duration

        public init(name: String, ttl: Duration, behavior: Behavior = .delete, lockDelay: Duration = .seconds(1)) {
            self.name = name
            self.ttl = ttl
            self.behavior = behavior
            self.lockDelay = lockDelay
        }
    }

    /// A session as Consul describes it.
    public struct Entry: Sendable, Hashable, Decodable {
        public var id: String
        public var name: String
        public var ttl: String
        public var behavior: String

        enum CodingKeys: String, CodingKey { case id = "ID", name = "Name", ttl = "TTL", behavior = "Behavior" }
    }

    public let client: ConsulHTTPClient

    public init(client: ConsulHTTPClient) { self.client = client }

    /// Creates a session; returns its ID.
    public func create(_ options: Options) async throws -> String {
        struct Body: Encodable {
            var Name: String
            var TTL: String
            var Behavior: String
            var LockDelay: String
        }
        struct Created: Decodable { var ID: String }
        let path = "/v1/session/create"
        let body = Body(Name: options.name, TTL: ConsulHTTPClient.consulDuration(options.ttl), Behavior: options.behavior.rawValue,
                        LockDelay: ConsulHTTPClient.consulDuration(options.lockDelay))
        let answer = try await client.send(.PUT, path, body: ConsulHTTPClient.encode(body))
        try ConsulHTTPClient.check(answer, .PUT, path)
        return try ConsulHTTPClient.decode(Created.self, answer.body, path).ID
    }

    /// Renews a session's TTL. False when Consul no longer knows it (it expired or was destroyed).
    public func renew(_ id: String) async throws -> Bool {
        let path = "/v1/session/renew/" + ConsulHTTPClient.pathEscape(id)
        let answer = try await client.send(.PUT, path)
        if answer.status == 404 { return false }
        try ConsulHTTPClient.check(answer, .PUT, path)
        return true
    }

    /// Destroys a session: its locks are released or deleted as its behavior says.
    public func destroy(_ id: String) async throws {
        let path = "/v1/session/destroy/" + ConsulHTTPClient.pathEscape(id)
        let answer = try await client.send(.PUT, path)
        try ConsulHTTPClient.check(answer, .PUT, path)
    }

    /// The session, or nil when it does not exist.
    public func info(_ id: String) async throws -> Entry? {
        let path = "/v1/session/info/" + ConsulHTTPClient.pathEscape(id)
        let answer = try await client.send(.GET, path)
        if answer.status == 404 { return nil }
        try ConsulHTTPClient.check(answer, .GET, path)
        return try ConsulHTTPClient.decode([Entry].self, answer.body, path).first
    }
}
