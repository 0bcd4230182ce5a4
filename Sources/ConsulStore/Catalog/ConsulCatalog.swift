import Foundation

/// Consul's catalog endpoints (`/v1/catalog`): datacenters, services and their instances.
public struct ConsulCatalog: Sendable {
    /// One instance of a service as the catalog lists it.
    public struct ServiceInstance: Sendable, Hashable, Decodable {
        public struct Weights: Sendable, Hashable, Codable {
            public var passing: Int
            public var warning: Int

            public init(passing: Int, warning: Int) {
                self.passing = passing
                self.warning = warning
            }

            enum CodingKeys: String, CodingKey { case passing = "Passing", warning = "Warning" }
        }

        public var node: String
        public var address: String
        public var datacenter: String
        public var serviceID: String
        public var serviceName: String
        public var serviceAddress: String
        public var servicePort: Int
        public var serviceTags: [String]
        public var serviceMeta: [String: String]
        public var serviceWeights: Weights?
        public var modifyIndex: UInt64

        enum CodingKeys: String, CodingKey {
            case node = "Node", address = "Address", datacenter = "Datacenter", serviceID = "ServiceID", serviceName = "ServiceName"
            case serviceAddress = "ServiceAddress", servicePort = "ServicePort", serviceTags = "ServiceTags"
            case serviceMeta = "ServiceMeta", serviceWeights = "ServiceWeights", modifyIndex = "ModifyIndex"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            node = try container.decode(String.self, forKey: .node)
            address = try container.decodeIfPresent(String.self, forKey: .address) ?? ""
            datacenter = try container.decodeIfPresent(String.self, forKey: .datacenter) ?? ""
            serviceID = try container.decodeIfPresent(String.self, forKey: .serviceID) ?? ""
            serviceName = try container.decode(String.self, forKey: .serviceName)
            serviceAddress = try container.decodeIfPresent(String.self, forKey: .serviceAddress) ?? ""
            servicePort = try container.decodeIfPresent(Int.self, forKey: .servicePort) ?? 0
            serviceTags = try container.decodeIfPresent([String].self, forKey: .serviceTags) ?? []
            serviceMeta = try container.decodeIfPresent([String: String].self, forKey: .serviceMeta) ?? [:]
            serviceWeights = try container.decodeIfPresent(Weights.self, forKey: .serviceWeights)
            modifyIndex = try container.decodeIfPresent(UInt64.self, forKey: .modifyIndex) ?? 0
        }
    }

    public let client: ConsulHTTPClient

    public init(client: ConsulHTTPClient) { self.client = client }

    /// The datacenters Consul knows (not blocking).
    public func datacenters() async throws -> [String] {
        let path = "/v1/catalog/datacenters"
        let answer = try await client.send(.GET, path)
        try ConsulHTTPClient.check(answer, .GET, path)
        return try ConsulHTTPClient.decode([String].self, answer.body, path)
    }

    /// Every service and its tags in `datacenter` (nil: the agent's); with `index`, blocking.
    public func services(
        datacenter: String? = nil, index: UInt64? = nil, read: ConsulReadMode = ConsulReadMode()
    ) async throws -> ([String: [String]], ConsulQueryMeta) {
        let path = "/v1/catalog/services"
        let query = Self.query(datacenter: datacenter, index: index, client: client) + read.parameters
        let answer = try await client.send(.GET, path, query: query, blocking: index != nil)
        try ConsulHTTPClient.check(answer, .GET, path)
        let services = try ConsulHTTPClient.decode([String: [String]?].self, answer.body, path)
        return (services.mapValues { $0 ?? [] }, answer.meta)
    }

    /// The instances of `service` in `datacenter`; with `index`, blocking.
    public func service(_ service: String, datacenter: String? = nil, index: UInt64? = nil) async throws -> ([ServiceInstance], ConsulQueryMeta) {
        let path = "/v1/catalog/service/" + ConsulHTTPClient.pathEscape(service)
        let answer = try await client.send(.GET, path, query: Self.query(datacenter: datacenter, index: index, client: client),
                                           blocking: index != nil)
        try ConsulHTTPClient.check(answer, .GET, path)
        return (try ConsulHTTPClient.decode([ServiceInstance].self, answer.body, path), answer.meta)
    }

    /// The `dc`, `index` and `wait` parameters of a catalog or health read.
    static func query(datacenter: String?, index: UInt64?, client: ConsulHTTPClient) -> [(String, String?)] {
        var query: [(String, String?)] = []
        if let datacenter { query.append(("dc", datacenter)) }
        if let index {
            query.append(("index", String(index)))
            query.append(("wait", "\(client.configuration.wait.components.seconds)s"))
        }
        return query
    }
}
