import EnvoyAPI

/// The state-of-the-world side of one ADS stream, as a pure state machine: requests and
/// snapshots in, responses and events out. No I/O, no clock.
///
/// Per type it tracks the subscription (wildcard or names), the last response sent (version,
/// names, nonce) and what Envoy ACKed or NACKed. It answers only when the subscription changes or
/// the subscribed resources change; a NACKed version is never resent. Pushes follow
/// make-before-break order (CDS, EDS, LDS, RDS, SDS), and clusters are removed only after the
/// routes that used them changed: a CDS change that removes clusters is sent first with them
/// kept, and again without them at the end.
public struct SotWStreamStateMachine: Sendable {
    struct TypeState: Sendable {
        var wildcard = false
        var names: Set<String> = []
        var sentVersion: String?
        var sentNames: Set<String> = []
        var nonce: String?
        var ackedVersion: String?
        var nackedVersion: String?
    }

    private(set) var types: [TypeURL: TypeState] = [:]
    private var snapshot: XDSSnapshot?
    private var nonceCounter: UInt64 = 0

    public init() {}

    /// Whether a snapshot has arrived (until then requests are remembered, not answered).
    public var hasSnapshot: Bool { snapshot != nil }

    /// The version Envoy last ACKed for `type`.
    public func ackedVersion(_ type: TypeURL) -> String? { types[type]?.ackedVersion }

    /// Handles one request from Envoy.
    public mutating func receive(
        _ request: Envoy_Service_Discovery_V3_DiscoveryRequest
    ) -> (events: [StreamEvent], responses: [Envoy_Service_Discovery_V3_DiscoveryResponse]) {
        guard let type = TypeURL(rawValue: request.typeURL) else { return ([.unknownType(request.typeURL)], []) }
        var events: [StreamEvent] = []
        let isFirst = types[type] == nil
        var state = types[type] ?? TypeState()
        if !request.responseNonce.isEmpty {
            guard !isFirst, state.nonce == request.responseNonce else {
                return ([.staleNonce(type, nonce: request.responseNonce)], [])
            }
            if request.hasErrorDetail {
                events.append(.nack(type, version: state.sentVersion ?? "", nonce: request.responseNonce,
                                    message: request.errorDetail.message))
                state.nackedVersion = state.sentVersion
            } else {
                events.append(.ack(type, version: request.versionInfo))
                state.ackedVersion = request.versionInfo
            }
        }
        let requested = Set(request.resourceNames)
        let wildcard = requested.contains("*") || (type.emptyNamesMeanWildcard && requested.isEmpty)
        let names = requested.subtracting(["*"])
        let changed = isFirst || wildcard != state.wildcard || names != state.names
        state.wildcard = wildcard
        state.names = names
        types[type] = state
        guard changed, let snapshot else { return (events, []) }
        let (selected, version) = select(type, from: snapshot)
        if isFirst && !request.versionInfo.isEmpty && request.versionInfo == version {
            // A reconnecting Envoy that already has exactly this: nothing to send.
            types[type]?.sentVersion = version
            types[type]?.sentNames = Set(selected.map(\.name))
            return (events, [])
        }
        return (events, [respond(type, selected, version: version)])
    }

    /// Handles a new snapshot: responses for every subscribed type whose resources changed.
    public mutating func update(_ newSnapshot: XDSSnapshot) -> [Envoy_Service_Discovery_V3_DiscoveryResponse] {
        let previous = snapshot
        snapshot = newSnapshot
        var responses: [Envoy_Service_Discovery_V3_DiscoveryResponse] = []
        var finalClusters: [XDSResource]?
        for type in TypeURL.allCases {
            guard let state = types[type] else { continue }
            let (selected, version) = select(type, from: newSnapshot)
            if version == state.sentVersion || version == state.nackedVersion { continue }
            if type == .cluster, let previous {
                let removed = state.sentNames.subtracting(selected.map(\.name))
                if !removed.isEmpty {
                    let kept = removed.compactMap { previous.resources(of: .cluster)[$0] }
                    responses.append(respond(.cluster, selected + kept))
                    finalClusters = selected
                    continue
                }
            }
            responses.append(respond(type, selected, version: version))
        }
        if let finalClusters { responses.append(respond(.cluster, finalClusters)) }
        return responses
    }

    /// The subscribed resources of `type` and their version. When the subscription covers the
    /// whole type (wildcard, or every name), the snapshot's precomputed type version is used.
    private func select(_ type: TypeURL, from snapshot: XDSSnapshot) -> (resources: [XDSResource], version: String) {
        let all = snapshot.resources(of: type)
        guard let state = types[type] else { return ([], XDSSnapshot.version(of: [])) }
        if state.wildcard || (state.names.count >= all.count && all.keys.allSatisfy(state.names.contains)) {
            return (Array(all.values), snapshot.versions[type] ?? XDSSnapshot.version(of: all.values))
        }
        let selected = ResourceNamePattern.select(state.names, from: all)
        return (selected, XDSSnapshot.version(of: selected))
    }

    private mutating func respond(
        _ type: TypeURL, _ resources: [XDSResource], version: String? = nil
    ) -> Envoy_Service_Discovery_V3_DiscoveryResponse {
        nonceCounter += 1
        let version = version ?? XDSSnapshot.version(of: resources)
        var response = Envoy_Service_Discovery_V3_DiscoveryResponse()
        response.versionInfo = version
        response.typeURL = type.rawValue
        response.nonce = String(nonceCounter)
        response.resources = resources.sorted { $0.name < $1.name }.map(\.any)
        types[type]?.sentVersion = version
        types[type]?.sentNames = Set(resources.map(\.name))
        types[type]?.nonce = response.nonce
        if types[type]?.nackedVersion != version { types[type]?.nackedVersion = nil }
        return response
    }
}
