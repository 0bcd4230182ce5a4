import EnvoyAPI

/// The incremental (delta) side of one ADS stream, as a pure state machine.
///
/// Per type it tracks the subscription and the version of every resource Envoy has (seeded from
/// `initial_resource_versions` on reconnect), so a change sends only changed resources and
/// `removed_resources`. Pushes follow make-before-break order; cluster removals go last, in a
/// response of their own.
public struct DeltaStreamStateMachine: Sendable {
    struct TypeState: Sendable {
        var wildcard = false
        var names: Set<String> = []
        /// What Envoy has: name -> version.
        var known: [String: String] = [:]
        var nonce: String?
        var sentVersion: String?
        var ackedVersion: String?
        /// The snapshot type version `known` matches exactly (for this subscription): from it,
        /// the next change is the snapshot's shared change, not a comparison of everything.
        var syncedVersion: String?
    }

    private(set) var types: [TypeURL: TypeState] = [:]
    private var snapshot: XDSSnapshot?
    private var nonceCounter: UInt64 = 0

    public init() {}

    public var hasSnapshot: Bool { snapshot != nil }

    /// The version Envoy last ACKed for `type` (the snapshot's type version when sent).
    public func ackedVersion(_ type: TypeURL) -> String? { types[type]?.ackedVersion }

    /// Handles one request from Envoy.
    public mutating func receive(
        _ request: Envoy_Service_Discovery_V3_DeltaDiscoveryRequest
    ) -> (events: [StreamEvent], responses: [Envoy_Service_Discovery_V3_DeltaDiscoveryResponse]) {
        guard let type = TypeURL(rawValue: request.typeURL) else { return ([.unknownType(request.typeURL)], []) }
        var events: [StreamEvent] = []
        let isFirst = types[type] == nil
        var state = types[type] ?? TypeState()
        if !request.responseNonce.isEmpty {
            if state.nonce == request.responseNonce {
                if request.hasErrorDetail {
                    events.append(.nack(type, version: state.sentVersion ?? "", nonce: request.responseNonce,
                                        message: request.errorDetail.message))
                } else {
                    events.append(.ack(type, version: state.sentVersion ?? ""))
                    state.ackedVersion = state.sentVersion
                }
            } else {
                events.append(.staleNonce(type, nonce: request.responseNonce))
            }
        }
        if isFirst {
            state.known = request.initialResourceVersions
            // Legacy wildcard: the first request for LDS/CDS with no names at all.
            state.wildcard = type.emptyNamesMeanWildcard && request.resourceNamesSubscribe.isEmpty
        }
        var changed = isFirst
        for name in request.resourceNamesSubscribe {
            if name == "*" {
                changed = changed || !state.wildcard
                state.wildcard = true
            } else if state.names.insert(name).inserted {
                changed = true
            }
        }
        for name in request.resourceNamesUnsubscribe {
            if name == "*" {
                changed = changed || state.wildcard
                state.wildcard = false
            } else if state.names.remove(name) != nil {
                let pattern = ResourceNamePattern(name)
                state.known = state.known.filter { $0.key != name && !pattern.contains($0.key) }
            }
        }
        types[type] = state
        guard changed, let snapshot, let response = diff(type, snapshot: snapshot, includeRemovals: true) else {
            return (events, [])
        }
        return (events, [response])
    }

    /// Handles a new snapshot: only what changed, per subscribed type whose resources changed.
    public mutating func update(_ newSnapshot: XDSSnapshot) -> [Envoy_Service_Discovery_V3_DeltaDiscoveryResponse] {
        let previous = snapshot
        snapshot = newSnapshot
        var responses: [Envoy_Service_Discovery_V3_DeltaDiscoveryResponse] = []
        let changedTypes = TypeURL.allCases.filter { type in
            types[type] != nil && previous?.versions[type] != newSnapshot.versions[type]
        }
        for type in changedTypes {
            if let response = diff(type, snapshot: newSnapshot, previous: previous, includeRemovals: type != .cluster) {
                responses.append(response)
            }
        }
        if changedTypes.contains(.cluster),
           let removals = diff(.cluster, snapshot: newSnapshot, previous: previous, includeRemovals: true)
        {
            responses.append(removals)
        }
        return responses
    }

    /// A response with the resources Envoy lacks or has in another version, and (optionally)
    /// those it has that are gone; nil when there is nothing to send.
    private mutating func diff(
        _ type: TypeURL, snapshot: XDSSnapshot, previous: XDSSnapshot? = nil, includeRemovals: Bool
    ) -> Envoy_Service_Discovery_V3_DeltaDiscoveryResponse? {
        guard var state = types[type] else { return nil }
        let inScope: [XDSResource]
        var gone: [String] = []
        if let previous, let synced = state.syncedVersion, synced == previous.versions[type] {
            // In step with the previous snapshot: only its shared change can differ.
            let change = snapshot.changes.change(type, from: previous, to: snapshot)
            let subscribed = { (name: String) in state.wildcard || ResourceNamePattern.subscribes(state.names, to: name) }
            inScope = change.changed.filter { subscribed($0.name) }
            gone = change.removed.filter { state.known[$0] != nil }
        } else {
            let all = snapshot.resources(of: type)
            inScope = state.wildcard
                ? all.values.sorted { $0.name < $1.name }
                : ResourceNamePattern.select(state.names, from: all).sorted { $0.name < $1.name }
            let present = Set(inScope.map(\.name))
            gone = state.known.keys.filter { !present.contains($0) }.sorted()
        }
        var response = Envoy_Service_Discovery_V3_DeltaDiscoveryResponse()
        for resource in inScope where state.known[resource.name] != resource.version {
            var entry = Envoy_Service_Discovery_V3_Resource()
            entry.name = resource.name
            entry.version = resource.version
            entry.resource = resource.any
            response.resources.append(entry)
            state.known[resource.name] = resource.version
        }
        if includeRemovals {
            for name in gone {
                response.removedResources.append(name)
                state.known[name] = nil
            }
            // `known` is now exactly this snapshot's resources for the subscription.
            state.syncedVersion = snapshot.versions[type]
        }
        guard !response.resources.isEmpty || !response.removedResources.isEmpty else {
            types[type] = state
            return nil
        }
        nonceCounter += 1
        response.typeURL = type.rawValue
        response.systemVersionInfo = snapshot.versions[type] ?? ""
        response.nonce = String(nonceCounter)
        state.nonce = response.nonce
        state.sentVersion = response.systemVersionInfo
        types[type] = state
        return response
    }
}
