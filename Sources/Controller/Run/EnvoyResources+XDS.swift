import EnvoyAPI
import Foundation
import SwiftProtobuf
import Translator
import XDS

extension EnvoyResources {
    /// The resources as an xDS snapshot. Serializations made during translation are used as
    /// they are. A resource whose bytes are those of the same name in `previous` keeps that
    /// resource and its version (no hashing), and a type whose resources all did keeps
    /// `previous`'s whole table and type version: a one-VirtualService edit rehashes one type.
    /// When `previous` was built from `previousResources`, a type whose list is the very same
    /// array (translation reused it whole) takes `previous`'s table without a look at its items.
    public func xdsSnapshot(reusing previous: XDSSnapshot? = nil, builtFrom previousResources: EnvoyResources? = nil) throws
        -> XDSSnapshot
    {
        var tables: [TypeURL: XDSSnapshot.TypeTable] = [:]
        func add<M: SwiftProtobuf.Message>(
            _ type: TypeURL, _ messages: [M], name: (M) -> String, payloads: [Data?] = [],
            before: (EnvoyResources) -> [M]
        ) throws {
            if let previous, let previousResources, messages.isSameArray(as: before(previousResources)) {
                tables[type] = previous.table(of: type)
                return
            }
            let known = previous?.resources(of: type) ?? [:]
            var list: [XDSResource] = []
            list.reserveCapacity(messages.count)
            var allKnown = messages.count == known.count
            var allNamesKnown = allKnown
            var changed: [XDSResource] = []
            for (index, message) in messages.enumerated() {
                let resourceName = name(message)
                let made = payloads.isEmpty ? nil : payloads[index]
                let bytes = try made ?? EnvoyResources.serialize(message)
                if let old = known[resourceName], old.payload.isSameBytes(as: bytes) {
                    list.append(old)
                } else {
                    if known[resourceName] == nil { allNamesKnown = false }
                    allKnown = false
                    let resource = XDSResource(name: resourceName, typeURL: type, payload: bytes)
                    list.append(resource)
                    changed.append(resource)
                }
            }
            // Every resource known with its bytes, as many as before, no name twice: the same
            // table; the same names with a few new contents: the previous table with those swapped.
            if allNamesKnown, let previous, Set(list.lazy.map { $0.name }).count == list.count {
                let table = previous.table(of: type)
                tables[type] = allKnown ? table : try table.replacing(changed) ?? XDSSnapshot.TypeTable(type, list)
            } else {
                tables[type] = try XDSSnapshot.TypeTable(type, list)
            }
        }
        try add(.cluster, clusters, name: { $0.name }, payloads: payloads.clusters.map { $0 }, before: { $0.clusters })
        try add(.endpoint, loadAssignments, name: { $0.clusterName }, payloads: payloads.loadAssignments.map { $0 },
                before: { $0.loadAssignments })
        try add(.listener, listeners, name: { $0.name }, before: { $0.listeners })
        try add(.route, routeConfigurations, name: { $0.name }, payloads: payloads.routeConfigurations,
                before: { $0.routeConfigurations })
        try add(.scopedRoute, scopedRouteConfigurations, name: { $0.name }, payloads: payloads.scopedRoutes,
                before: { $0.scopedRouteConfigurations })
        try add(.secret, secrets, name: { $0.name }, before: { $0.secrets })
        return XDSSnapshot(tables: tables)
    }
}

extension Array {
    /// Whether both are one buffer (a copy of the same array), without looking at the elements.
    func isSameArray(as other: [Element]) -> Bool {
        count == other.count
            && withUnsafeBufferPointer { mine in other.withUnsafeBufferPointer { theirs in mine.baseAddress == theirs.baseAddress } }
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
