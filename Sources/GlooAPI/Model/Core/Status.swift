/// The status a reporter wrote on a resource (solo-kit `core.Status`).
public struct Status: Hashable, Sendable, Codable {
    public enum State: String, ProtoEnum {
        case pending = "Pending"
        case accepted = "Accepted"
        case rejected = "Rejected"
        case warning = "Warning"
    }

    public var state: State?
    public var reason: String
    /// `gateway` for Gateways, VirtualServices and RouteTables; `gloo` for Upstreams and Proxies.
    public var reportedBy: String
    public var subresourceStatuses: [String: Status]
    /// Free-form details Gloo's reporters may add; kept, not interpreted.
    public var details: ConfigValue?
    public var messages: [String]

    public init(state: State, reason: String = "", reportedBy: String, subresourceStatuses: [String: Status] = [:]) {
        self.state = state
        self.reason = reason
        self.reportedBy = reportedBy
        self.subresourceStatuses = subresourceStatuses
        self.details = nil
        self.messages = []
    }
}

/// Statuses keyed by the namespace of the controller that wrote them (`namespacedStatuses.statuses.<ns>`).
public struct NamespacedStatuses: Hashable, Sendable, Codable, ProtoDefaultable {
    public var statuses: [String: Status]

    public init(statuses: [String: Status] = [:]) { self.statuses = statuses }

    public static var protoDefault: NamespacedStatuses { NamespacedStatuses() }
    public var isProtoDefault: Bool { statuses.isEmpty }
}
