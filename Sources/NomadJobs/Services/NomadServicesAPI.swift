/// Nomad's native service discovery (REFERENCE.md section 6): the service list and one
/// service's instances, both blocking queries.
public struct NomadServicesAPI: Sendable {
    /// One service in the list: its name and every tag its instances carry.
    public struct Listed: Hashable, Sendable, Decodable {
        public var serviceName: String
        public var tags: [String]

        enum CodingKeys: String, CodingKey { case serviceName = "ServiceName", tags = "Tags" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            serviceName = try container.decode(String.self, forKey: .serviceName)
            tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        }
    }

    private struct NamespaceServices: Decodable {
        var namespace: String
        var services: [Listed]?

        enum CodingKeys: String, CodingKey { case namespace = "Namespace", services = "Services" }
    }

    public let client: NomadHTTPClient

    public init(client: NomadHTTPClient) { self.client = client }

    /// The services of `namespace` (nil: the client's), blocking past `index` when given.
    public func list(namespace: String? = nil, index: UInt64? = nil) async throws -> (services: [Listed], index: UInt64) {
        let answer = try await client.send(.GET, "services", query: namespace.map { [("namespace", $0)] } ?? [], index: index)
        let groups = try NomadHTTPClient.decode([NamespaceServices].self, answer, "services")
        return (groups.flatMap { $0.services ?? [] }, answer.index)
    }

    /// The registered instances of `name` in `namespace` (nil: the client's), blocking past `index`.
    public func instances(
        _ name: String, namespace: String? = nil, index: UInt64? = nil
    ) async throws -> (instances: [NomadServiceRegistration], index: UInt64) {
        let path = "service/\(name)"
        let answer = try await client.send(.GET, path, query: namespace.map { [("namespace", $0)] } ?? [], index: index)
        return (try NomadHTTPClient.decode([NomadServiceRegistration].self, answer, path), answer.index)
    }
}
