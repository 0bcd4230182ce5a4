import EnvoyAPI

/// What the ADS server needs of a stream state machine, SotW or delta.
protocol ADSStateMachine: Sendable {
    associatedtype Request: Sendable
    associatedtype Response: Sendable

    static var mode: ConnectedNode.Mode { get }
    init()
    mutating func receive(_ request: Request) -> (events: [StreamEvent], responses: [Response])
    mutating func update(_ snapshot: XDSSnapshot) -> [Response]
    /// The node a request names (Envoy sends it on the first request of a stream).
    static func node(of request: Request) -> Envoy_Config_Core_V3_Node?
}

extension SotWStreamStateMachine: ADSStateMachine {
    static var mode: ConnectedNode.Mode { .stateOfTheWorld }

    static func node(of request: Envoy_Service_Discovery_V3_DiscoveryRequest) -> Envoy_Config_Core_V3_Node? {
        request.hasNode ? request.node : nil
    }
}

extension DeltaStreamStateMachine: ADSStateMachine {
    static var mode: ConnectedNode.Mode { .delta }

    static func node(of request: Envoy_Service_Discovery_V3_DeltaDiscoveryRequest) -> Envoy_Config_Core_V3_Node? {
        request.hasNode ? request.node : nil
    }
}
