import Foundation

/// Consul's health endpoints (`/v1/health`): service instances with their checks.
public struct ConsulHealth: Sendable {
    /// A health check's state.
    public enum CheckStatus: String, Sendable, Hashable, Codable {
        case passing, warning, critical, maintenance
    }

    /// One check on a node or service.
    public struct Check: Sendable, Hashable, Decodable {
        public var checkID: String
        public var status: CheckStatus
        public var serviceID: String

        enum CodingKeys: String, CodingKey { case checkID = "CheckID", status = "Status", serviceID = "ServiceID" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            checkID = try container.decode(String.self, forKey: .checkID)
            status = try container.decode(CheckStatus.self, forKey: .status)
            serviceID = try container.decodeIfPresent(String.self, forKey: .serviceID) ?? ""
        }
    }

    /// One instance with its node and checks (`/v1/health/service/<name>`).
    public struct ServiceEntry: Sendable, Hashable, Decodable {
        public struct Node: Sendable, Hashable, Decodable {
            public var node: String
            public var address: String
            public var datacenter: String

            enum CodingKeys: String, CodingKey { case node = "Node", address = "Address", datacenter = "Datacenter" }
        }

        public struct Service: Sendable, Hashable, Decodable {
            public var id: String
            public var service: String
            public var tags: [String]
            public var address: String
            public var port: Int
            public var meta: [String: String]
            public var weights: ConsulCatalog.ServiceInstance.Weights?

            enum CodingKeys: String, CodingKey {
                case id = "ID", service = "Service", tags = "Tags", address = "Address", port = "Port", meta = "Meta", weights = "Weights"
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                id = try container.decode(String.self, forKey: .id)
                service = try container.decode(String.self, forKey: .service)
                tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
                address = try container.decodeIfPresent(String.self, forKey: .address) ?? ""
                port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 0
                meta = try container.decodeIfPresent([String: String].self, forKey: .meta) ?? [:]
                weights = try container.decodeIfPresent(ConsulCatalog.ServiceInstance.Weights.self, forKey: .weights)
            }
        }

        public var node: Node
        public var service: Service
        public var checks: [Check]

        enum CodingKeys: String, CodingKey { case node = "Node", service = "Service", checks = "Checks" }

        /// The worst state of the instance's checks (node and service); maintenance counts as critical.
        public var aggregateStatus: CheckStatus {
            if checks.contains(where: { $0.status == .critical || $0.status == .maintenance }) { return .critical }
            if checks.contains(where: { $0.status == .warning }) { return .warning }
            return .passing
        }

        /// Whether the node or the service is in maintenance mode.
        public var inMaintenance: Bool {
            checks.contains { $0.checkID == "_node_maintenance" || $0.checkID == "_service_maintenance:\(service.id)" }
        }
    }

    public let client: ConsulHTTPClient

    public init(client: ConsulHTTPClient) { self.client = client }

    /// The instances of `service` with their checks; `passingOnly` asks Consul to filter.
    public func service(
        _ service: String, passingOnly: Bool = false, datacenter: String? = nil, index: UInt64? = nil,
        read: ConsulReadMode = ConsulReadMode()
    ) async throws -> ([ServiceEntry], ConsulQueryMeta) {
        let path = "/v1/health/service/" + ConsulHTTPClient.pathEscape(service)
        var query = ConsulCatalog.query(datacenter: datacenter, index: index, client: client) + read.parameters
        if passingOnly { query.append(("passing", nil)) }
        let answer = try await client.send(.GET, path, query: query, blocking: index != nil)
        try ConsulHTTPClient.check(answer, .GET, path)
        return (try ConsulHTTPClient.decode([ServiceEntry].self, answer.body, path), answer.meta)
    }

    /// Every check in `state` (`any` for all).
    public func state(_ state: String, datacenter: String? = nil) async throws -> [Check] {
        let path = "/v1/health/state/" + ConsulHTTPClient.pathEscape(state)
        let answer = try await client.send(.GET, path, query: ConsulCatalog.query(datacenter: datacenter, index: nil, client: client))
        try ConsulHTTPClient.check(answer, .GET, path)
        return try ConsulHTTPClient.decode([Check].self, answer.body, path)
    }
}
