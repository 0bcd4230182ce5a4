/// A job deployment as `/v1/job/<id>/deployment` answers it (REFERENCE.md section 6).
public struct NomadDeployment: Hashable, Sendable, Decodable {
    public struct GroupState: Hashable, Sendable, Decodable {
        public var desiredTotal: Int
        public var placedAllocs: Int
        public var healthyAllocs: Int
        public var unhealthyAllocs: Int

        enum CodingKeys: String, CodingKey {
            case desiredTotal = "DesiredTotal", placedAllocs = "PlacedAllocs", healthyAllocs = "HealthyAllocs"
            case unhealthyAllocs = "UnhealthyAllocs"
        }

        public init(desiredTotal: Int, placedAllocs: Int, healthyAllocs: Int, unhealthyAllocs: Int) {
            self.desiredTotal = desiredTotal
            self.placedAllocs = placedAllocs
            self.healthyAllocs = healthyAllocs
            self.unhealthyAllocs = unhealthyAllocs
        }
    }

    public var id: String
    /// running, successful, failed, cancelled, paused, blocked...
    public var status: String
    public var statusDescription: String
    public var taskGroups: [String: GroupState]
    /// The job's modify index the deployment was made for (0 when Nomad did not say).
    public var jobModifyIndex: UInt64

    enum CodingKeys: String, CodingKey {
        case id = "ID", status = "Status", statusDescription = "StatusDescription", taskGroups = "TaskGroups"
        case jobModifyIndex = "JobModifyIndex"
    }

    public init(id: String, status: String, statusDescription: String = "", taskGroups: [String: GroupState], jobModifyIndex: UInt64 = 0) {
        self.id = id
        self.status = status
        self.statusDescription = statusDescription
        self.taskGroups = taskGroups
        self.jobModifyIndex = jobModifyIndex
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try container.decode(String.self, forKey: .status)
        statusDescription = try container.decodeIfPresent(String.self, forKey: .statusDescription) ?? ""
        taskGroups = try container.decodeIfPresent([String: GroupState].self, forKey: .taskGroups) ?? [:]
        jobModifyIndex = try container.decodeIfPresent(UInt64.self, forKey: .jobModifyIndex) ?? 0
    }
}

/// An allocation as `/v1/job/<id>/allocations` lists it: its state and its tasks' events.
public struct NomadAllocation: Hashable, Sendable, Decodable {
    public struct TaskEvent: Hashable, Sendable, Decodable {
        public var type: String
        public var displayMessage: String

        enum CodingKeys: String, CodingKey { case type = "Type", displayMessage = "DisplayMessage" }
    }

    public struct TaskState: Hashable, Sendable, Decodable {
        public var state: String
        public var failed: Bool
        public var events: [TaskEvent]

        enum CodingKeys: String, CodingKey { case state = "State", failed = "Failed", events = "Events" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            state = try container.decodeIfPresent(String.self, forKey: .state) ?? ""
            failed = try container.decodeIfPresent(Bool.self, forKey: .failed) ?? false
            events = try container.decodeIfPresent([TaskEvent].self, forKey: .events) ?? []
        }
    }

    private struct DeploymentStatus: Decodable {
        var healthy: Bool?
        enum CodingKeys: String, CodingKey { case healthy = "Healthy" }
    }

    public var id: String
    public var taskGroup: String
    /// pending, running, complete, failed, lost, unknown.
    public var clientStatus: String
    /// The deployment's verdict on this allocation (nil: not decided yet).
    public var healthy: Bool?
    public var taskStates: [String: TaskState]

    enum CodingKeys: String, CodingKey {
        case id = "ID", taskGroup = "TaskGroup", clientStatus = "ClientStatus", deploymentStatus = "DeploymentStatus"
        case taskStates = "TaskStates"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        taskGroup = try container.decodeIfPresent(String.self, forKey: .taskGroup) ?? ""
        clientStatus = try container.decodeIfPresent(String.self, forKey: .clientStatus) ?? ""
        healthy = try container.decodeIfPresent(DeploymentStatus.self, forKey: .deploymentStatus)?.healthy
        taskStates = try container.decodeIfPresent([String: TaskState].self, forKey: .taskStates) ?? [:]
    }
}

/// A job in `/v1/jobs`.
public struct NomadJobStub: Hashable, Sendable, Decodable {
    public var id: String
    public var type: String
    public var status: String

    enum CodingKeys: String, CodingKey { case id = "ID", type = "Type", status = "Status" }
}
