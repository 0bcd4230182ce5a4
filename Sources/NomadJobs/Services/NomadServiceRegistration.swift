/// One instance of a Nomad native service, as `GET /v1/service/<name>` returns it
/// (REFERENCE.md section 6).
public struct NomadServiceRegistration: Hashable, Sendable, Codable {
    public var id: String
    public var serviceName: String
    public var namespace: String
    public var nodeID: String
    public var datacenter: String
    public var jobID: String
    public var allocID: String
    public var tags: [String]
    public var address: String
    public var port: Int
    public var createIndex: UInt64
    public var modifyIndex: UInt64

    private enum CodingKeys: String, CodingKey {
        case id = "ID", serviceName = "ServiceName", namespace = "Namespace", nodeID = "NodeID"
        case datacenter = "Datacenter", jobID = "JobID", allocID = "AllocID", tags = "Tags"
        case address = "Address", port = "Port", createIndex = "CreateIndex", modifyIndex = "ModifyIndex"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        serviceName = try container.decode(String.self, forKey: .serviceName)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace) ?? "default"
        nodeID = try container.decodeIfPresent(String.self, forKey: .nodeID) ?? ""
        datacenter = try container.decodeIfPresent(String.self, forKey: .datacenter) ?? ""
        jobID = try container.decodeIfPresent(String.self, forKey: .jobID) ?? ""
        allocID = try container.decodeIfPresent(String.self, forKey: .allocID) ?? ""
        // Nomad writes `null` for a service without tags.
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        address = try container.decode(String.self, forKey: .address)
        port = try container.decode(Int.self, forKey: .port)
        createIndex = try container.decodeIfPresent(UInt64.self, forKey: .createIndex) ?? 0
        modifyIndex = try container.decodeIfPresent(UInt64.self, forKey: .modifyIndex) ?? 0
    }
}
