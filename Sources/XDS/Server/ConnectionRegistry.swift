/// The Envoys connected right now: node, group, and per type the last ACKed version and the
/// last NACK, for the admin API and metrics.
public actor ConnectionRegistry {
    private var nodes: [Int: ConnectedNode] = [:]
    private var nextID = 0
    private(set) var ackCounts: [TypeURL: Int] = [:]
    private(set) var nackCounts: [TypeURL: Int] = [:]

    public init() {}

    func open(mode: ConnectedNode.Mode) -> Int {
        nextID += 1
        nodes[nextID] = ConnectedNode(streamID: nextID, mode: mode)
        return nextID
    }

    func identify(_ streamID: Int, nodeID: String, cluster: String, group: String) {
        nodes[streamID]?.nodeID = nodeID
        nodes[streamID]?.cluster = cluster
        nodes[streamID]?.group = group
    }

    func record(_ streamID: Int, _ events: [StreamEvent]) {
        for event in events {
            switch event {
            case .ack(let type, let version):
                nodes[streamID]?.acked[type] = version
                ackCounts[type, default: 0] += 1
            case .nack(let type, let version, let nonce, let message):
                nodes[streamID]?.lastNack[type] = ConnectedNode.Nack(version: version, nonce: nonce, message: message)
                nackCounts[type, default: 0] += 1
            case .staleNonce, .unknownType:
                break
            }
        }
    }

    func close(_ streamID: Int) {
        nodes[streamID] = nil
    }

    /// Every connected Envoy, by stream.
    public func connected() -> [ConnectedNode] {
        nodes.values.sorted { $0.streamID < $1.streamID }
    }

    /// ACKs and NACKs received since start, per type.
    public func counts() -> (acks: [TypeURL: Int], nacks: [TypeURL: Int]) { (ackCounts, nackCounts) }
}

/// One connected Envoy (one ADS stream).
public struct ConnectedNode: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable {
        case stateOfTheWorld = "sotw"
        case delta
    }

    /// A rejected response, as Envoy reported it.
    public struct Nack: Hashable, Sendable {
        public var version: String
        public var nonce: String
        public var message: String
    }

    public var streamID: Int
    public var mode: Mode
    public var nodeID = ""
    public var cluster = ""
    /// The snapshot group; empty until the first request names the node.
    public var group = ""
    public var acked: [TypeURL: String] = [:]
    public var lastNack: [TypeURL: Nack] = [:]
    /// True while no snapshot exists for the group: the Envoy is connected but sent nothing.
    public var waitingForSnapshot = false
}
