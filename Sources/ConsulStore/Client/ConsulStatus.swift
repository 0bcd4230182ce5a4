/// Consul's status endpoints (`/v1/status`): whether the cluster has a leader (a cheap
/// reachability and authorisation probe for health checks).
public struct ConsulStatus: Sendable {
    public let client: ConsulHTTPClient

    public init(client: ConsulHTTPClient) { self.client = client }

    /// The Raft leader's address (`10.0.0.1:8300`); empty while there is none.
    public func leader() async throws -> String {
        let path = "/v1/status/leader"
        let answer = try await client.send(.GET, path)
        try ConsulHTTPClient.check(answer, .GET, path)
        return try ConsulHTTPClient.decode(String.self, answer.body, path)
    }

    /// The Raft peers' addresses.
    public func peers() async throws -> [String] {
        let path = "/v1/status/peers"
        let answer = try await client.send(.GET, path)
        try ConsulHTTPClient.check(answer, .GET, path)
        return try ConsulHTTPClient.decode([String].self, answer.body, path)
    }
}
