import EnvoyAPI
import Foundation
import SwiftProtobuf
import Translator
import XDS

extension EnvoyResources {
    /// The resources as an xDS snapshot built from `previous`. `account` (the translator's,
    /// relative to the translation `previous` was built from; else `.none`) decides per kind:
    /// unchanged keeps `previous`'s table and type version, changed positions are swapped into
    /// it, anything else is compared by name (equal bytes keep the resource and its version).
    /// Serializations made during translation are used as they are.
    public func xdsSnapshot(reusing previous: XDSSnapshot? = nil, account: ReuseAccount = .none) throws -> XDSSnapshot {
        var tables: [TypeURL: XDSSnapshot.TypeTable] = [:]
        func add<M: SwiftProtobuf.Message, Payload: PayloadSlot>(
            _ type: TypeURL, _ kind: ReuseAccount.Kind, _ messages: [M], name: (M) -> String, payloads: [Payload]
        ) throws {
            func bytes(at index: Int) throws -> Data {
                try (payloads.isEmpty ? nil : payloads[index].bytes) ?? EnvoyResources.serialize(messages[index])
            }
            if let previous {
                switch account.change(of: kind) {
                case .unchanged:
                    tables[type] = previous.table(of: type)
                    return
                case .changed(let positions):
                    let swapped = try positions.map { XDSResource(name: name(messages[$0]), typeURL: type, payload: try bytes(at: $0)) }
                    if let table = previous.table(of: type).replacing(swapped) {
                        tables[type] = table
                        return
                    }
                case .reshaped:
                    break
                }
            }
            tables[type] = try Self.compareByName(type, messages.count, name: { name(messages[$0]) }, bytes: bytes, previous: previous)
        }
        try add(.cluster, .clusters, clusters, name: { $0.name }, payloads: payloads.clusters)
        try add(.endpoint, .loadAssignments, loadAssignments, name: { $0.clusterName }, payloads: payloads.loadAssignments)
        try add(.listener, .listeners, listeners, name: { $0.name }, payloads: [Data]())
        try add(.route, .routeConfigurations, routeConfigurations, name: { $0.name }, payloads: payloads.routeConfigurations)
        try add(.scopedRoute, .scopedRoutes, scopedRouteConfigurations, name: { $0.name }, payloads: payloads.scopedRoutes)
        try add(.secret, .secrets, secrets, name: { $0.name }, payloads: [Data]())
        return XDSSnapshot(tables: tables)
    }

    /// One type's table when nothing is known about what changed: a resource whose bytes are
    /// those of the same name in `previous` keeps that resource and its version; when every
    /// name is known, `previous`'s table with the changed ones swapped in (no rehash).
    private static func compareByName(
        _ type: TypeURL, _ count: Int, name: (Int) -> String, bytes: (Int) throws -> Data, previous: XDSSnapshot?
    ) throws -> XDSSnapshot.TypeTable {
        let known = previous?.resources(of: type) ?? [:]
        var list: [XDSResource] = []
        list.reserveCapacity(count)
        var allKnown = count == known.count
        var allNamesKnown = allKnown
        var changed: [XDSResource] = []
        for index in 0..<count {
            let resourceName = name(index)
            let payload = try bytes(index)
            if let old = known[resourceName], old.payload.isSameBytes(as: payload) {
                list.append(old)
            } else {
                if known[resourceName] == nil { allNamesKnown = false }
                allKnown = false
                let resource = XDSResource(name: resourceName, typeURL: type, payload: payload)
                list.append(resource)
                changed.append(resource)
            }
        }
        // Every resource known with its bytes, as many as before, no name twice: the same
        // table; the same names with a few new contents: the previous table with those swapped.
        if allNamesKnown, let previous, Set(list.lazy.map { $0.name }).count == list.count {
            let table = previous.table(of: type)
            return allKnown ? table : try table.replacing(changed) ?? XDSSnapshot.TypeTable(type, list)
        }
        return try XDSSnapshot.TypeTable(type, list)
    }
}

extension Data {
    /// Equal bytes; O(1) when both share one buffer (a serialization reused from the cache).
    func isSameBytes(as other: Data) -> Bool {
        guard count == other.count else { return false }
        let shared = withUnsafeBytes { mine in other.withUnsafeBytes { theirs in mine.baseAddress == theirs.baseAddress } }
        return shared || self == other
    }
}
