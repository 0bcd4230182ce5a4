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
///
/// EDS, RDS and SDS are subscribed name by name, and Envoy applies each resource of a response to
/// its own watch and leaves the others alone; for them a response holds only the resources that
/// are new to the subscription or changed (a one-route edit among 5,000 scoped RouteConfigurations
/// is one resource, not 5,000). CDS, LDS and SRDS (whose glob collections are a state of the
/// world) always get their whole subscribed set.
public struct SotWStreamStateMachine: Sendable {
    struct TypeState: Sendable {
        var wildcard = false
        var names: Set<String> = []
        var sentVersion: String?
        var sent: Selection?
        var nonce: String?
        var ackedVersion: String?
        var nackedVersion: String?
    }

    /// What a response holds: a snapshot's whole type (its body encoded once and shared), or
    /// some resources.
    enum Selection: Sendable {
        case whole(XDSSnapshot, TypeURL)
        case some([XDSResource])

        var resources: [XDSResource] {
            switch self {
            case .whole(let snapshot, let type): Array(snapshot.resources(of: type).values)
            case .some(let resources): resources
            }
        }

        var names: Set<String> {
            switch self {
            case .whole(let snapshot, let type): Set(snapshot.resources(of: type).keys)
            case .some(let resources): Set(resources.map(\.name))
            }
        }

        /// Each resource's content version, by name.
        var versionsByName: [String: String] {
            switch self {
            case .whole(let snapshot, let type): snapshot.resources(of: type).mapValues(\.version)
            case .some(let resources): Dictionary(resources.map { ($0.name, $0.version) }, uniquingKeysWith: { a, _ in a })
            }
        }

        /// The resources named in `names`.
        func subset(_ names: Set<String>) -> Selection {
            .some(resources.filter { names.contains($0.name) })
        }
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
        let previousNames = state.names
        state.wildcard = wildcard
        state.names = names
        types[type] = state
        guard changed, let snapshot else { return (events, []) }
        let (selection, version) = select(type, from: snapshot)
        if isFirst && !request.versionInfo.isEmpty && request.versionInfo == version {
            // A reconnecting Envoy that already has exactly this: nothing to send.
            types[type]?.sentVersion = version
            types[type]?.sent = selection
            return (events, [])
        }
        if !isFirst, sendsChangesOnly(type), let sent = state.sent {
            // Names Envoy dropped need nothing; names it added need their resources.
            let held = sent.subset(previousNames.intersection(names))
            let news = Self.changes(from: held, to: selection)
            if news.isEmpty {
                record(type, selection, version: version)
                return (events, [])
            }
            return (events, [respond(type, .some(news), version: version, holding: selection)])
        }
        return (events, [respond(type, selection, version: version)])
    }

    /// Handles a new snapshot: responses for every subscribed type whose resources changed.
    public mutating func update(_ newSnapshot: XDSSnapshot) -> [Envoy_Service_Discovery_V3_DiscoveryResponse] {
        let previous = snapshot
        snapshot = newSnapshot
        var responses: [Envoy_Service_Discovery_V3_DiscoveryResponse] = []
        var finalClusters: (selection: Selection, version: String)?
        for type in TypeURL.allCases {
            guard let state = types[type] else { continue }
            // A type whose resources did not change has nothing new for this subscription (a
            // subscription change is answered when it arrives).
            if let previous, previous.versions[type] == newSnapshot.versions[type] { continue }
            let (selection, version) = select(type, from: newSnapshot)
            if version == state.sentVersion || version == state.nackedVersion { continue }
            if type == .cluster, let sent = state.sent, let before = previous {
                let removed: [String]
                if case .whole(let sentSnapshot, _) = sent, case .whole = selection {
                    // Whole type before and now: the snapshot's change, computed once for all streams.
                    removed = newSnapshot.changes.change(.cluster, from: sentSnapshot, to: newSnapshot).removed
                } else {
                    removed = Array(sent.names.subtracting(selection.names))
                }
                if !removed.isEmpty {
                    let source: XDSSnapshot = if case .whole(let sentSnapshot, _) = sent { sentSnapshot } else { before }
                    let kept = removed.compactMap { source.resources(of: .cluster)[$0] }
                    responses.append(respond(.cluster, .some(selection.resources + kept)))
                    finalClusters = (selection, version)
                    continue
                }
            }
            if sendsChangesOnly(type), let sent = state.sent {
                let news: [XDSResource]
                if case .whole(let sentSnapshot, _) = sent, case .whole = selection {
                    news = newSnapshot.changes.change(type, from: sentSnapshot, to: newSnapshot).changed
                } else {
                    news = Self.changes(from: sent, to: selection)
                }
                if news.isEmpty {
                    // Only removals: Envoy drops a name when it unsubscribes, not on a SotW response.
                    record(type, selection, version: version)
                } else {
                    responses.append(respond(type, .some(news), version: version, holding: selection))
                }
                continue
            }
            responses.append(respond(type, selection, version: version))
        }
        if let finalClusters { responses.append(respond(.cluster, finalClusters.selection, version: finalClusters.version)) }
        return responses
    }

    /// The subscribed resources of `type` and their version. When the subscription covers the
    /// whole type (wildcard, every name, or globs that match all), the snapshot's type version is
    /// used and the response body is the snapshot's shared one.
    private func select(_ type: TypeURL, from snapshot: XDSSnapshot) -> (selection: Selection, version: String) {
        let all = snapshot.resources(of: type)
        let typeVersion = snapshot.versions[type] ?? XDSSnapshot.version(of: [])
        guard let state = types[type] else { return (.some([]), XDSSnapshot.version(of: [])) }
        if state.wildcard || (state.names.count >= all.count && all.keys.allSatisfy(state.names.contains)) {
            return (.whole(snapshot, type), typeVersion)
        }
        let selected = ResourceNamePattern.select(state.names, from: all)
        if selected.count == all.count { return (.whole(snapshot, type), typeVersion) }
        return (.some(selected), XDSSnapshot.version(of: selected))
    }

    /// Whether responses of `type` carry only new and changed resources: name-by-name
    /// subscriptions of EDS, RDS and SDS (not glob collections, which are a state of the world).
    private func sendsChangesOnly(_ type: TypeURL) -> Bool {
        guard type == .endpoint || type == .route || type == .secret, let state = types[type] else { return false }
        return !state.wildcard && !state.names.contains { ResourceNamePattern($0).collectionPrefix != nil }
    }

    /// Resources of `selection` that `held` lacks or holds with other content.
    private static func changes(from held: Selection, to selection: Selection) -> [XDSResource] {
        let before = held.versionsByName
        return selection.resources.filter { before[$0.name] != $0.version }
    }

    /// Records that Envoy now holds `selection` at `version` without sending anything.
    private mutating func record(_ type: TypeURL, _ selection: Selection, version: String) {
        types[type]?.sentVersion = version
        types[type]?.sent = selection
    }

    /// A response carrying `selection`; with `holding`, a response carrying only part of it after
    /// which Envoy holds `holding`.
    private mutating func respond(
        _ type: TypeURL, _ selection: Selection, version: String? = nil, holding: Selection? = nil
    ) -> Envoy_Service_Discovery_V3_DiscoveryResponse {
        nonceCounter += 1
        var response = Envoy_Service_Discovery_V3_DiscoveryResponse()
        response.typeURL = type.rawValue
        response.nonce = String(nonceCounter)
        switch selection {
        case .whole(let snapshot, _):
            response.versionInfo = version ?? snapshot.versions[type] ?? XDSSnapshot.version(of: [])
            response.unknownFields = snapshot.sharedBodies.body(type) { Array(snapshot.resources(of: type).values) }
        case .some(let resources):
            response.versionInfo = version ?? XDSSnapshot.version(of: resources)
            response.resources = resources.sorted { $0.name < $1.name }.map(\.any)
        }
        types[type]?.sentVersion = response.versionInfo
        types[type]?.sent = holding ?? selection
        types[type]?.nonce = response.nonce
        if types[type]?.nackedVersion != response.versionInfo { types[type]?.nackedVersion = nil }
        return response
    }
}
