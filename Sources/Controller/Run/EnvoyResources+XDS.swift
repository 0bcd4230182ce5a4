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
            before: (EnvoyResources) -> [M], payloadsBefore: (EnvoyResources.Payloads) -> [Data?] = { _ in [] }
        ) throws {
            if let previous, let previousResources, messages.isSameArray(as: before(previousResources)) {
                tables[type] = previous.table(of: type)
                return
            }
            if let previous, let previousResources,
               let table = Self.patchedInPlace(type, messages, name: name, payloads: payloads, previous: previous,
                                               before: before(previousResources), payloadsBefore: payloadsBefore(previousResources.payloads))
            {
                tables[type] = table
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
        try add(.cluster, clusters, name: { $0.name }, payloads: payloads.clusters.map { $0 }, before: { $0.clusters },
                payloadsBefore: { $0.clusters.map { $0 } })
        try add(.endpoint, loadAssignments, name: { $0.clusterName }, payloads: payloads.loadAssignments.map { $0 },
                before: { $0.loadAssignments }, payloadsBefore: { $0.loadAssignments.map { $0 } })
        try add(.listener, listeners, name: { $0.name }, before: { $0.listeners })
        try add(.route, routeConfigurations, name: { $0.name }, payloads: payloads.routeConfigurations,
                before: { $0.routeConfigurations }, payloadsBefore: { $0.routeConfigurations })
        try add(.scopedRoute, scopedRouteConfigurations, name: { $0.name }, payloads: payloads.scopedRoutes,
                before: { $0.scopedRouteConfigurations }, payloadsBefore: { $0.scopedRoutes })
        try add(.secret, secrets, name: { $0.name }, before: { $0.secrets })
        return XDSSnapshot(tables: tables)
    }

    /// The common shape of an edit: the same resources in the same order, each serialization
    /// the very same bytes as before except a few whose resource kept its name at its position.
    /// Then `previous`'s table with those few swapped in, found by position (no name hashed for
    /// the unchanged ones); nil when the lists are not of that shape.
    private static func patchedInPlace<M: SwiftProtobuf.Message>(
        _ type: TypeURL, _ messages: [M], name: (M) -> String, payloads: [Data?], previous: XDSSnapshot,
        before: [M], payloadsBefore: [Data?]
    ) -> XDSSnapshot.TypeTable? {
        guard !payloads.isEmpty, payloads.count == messages.count, before.count == messages.count,
              payloadsBefore.count == payloads.count
        else { return nil }
        var changed: [XDSResource] = []
        for index in payloads.indices {
            guard let bytes = payloads[index], let old = payloadsBefore[index] else { return nil }
            if bytes.isSameBuffer(as: old) { continue }
            let resourceName = name(messages[index])
            guard resourceName == name(before[index]) else { return nil }
            if bytes == old { continue }
            changed.append(XDSResource(name: resourceName, typeURL: type, payload: bytes))
            // Many changes: the general path is as cheap and checks more.
            if changed.count > 256 { return nil }
        }
        let table = previous.table(of: type)
        return changed.isEmpty ? table : table.replacing(changed)
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
    /// Whether both share one buffer (the same serialization), without comparing bytes.
    func isSameBuffer(as other: Data) -> Bool {
        count == other.count && count > 0
            && withUnsafeBytes { mine in other.withUnsafeBytes { theirs in mine.baseAddress == theirs.baseAddress } }
    }

    /// Equal bytes; O(1) when both share one buffer (a serialization reused from the cache).
    func isSameBytes(as other: Data) -> Bool {
        guard count == other.count else { return false }
        let shared = withUnsafeBytes { mine in other.withUnsafeBytes { theirs in mine.baseAddress == theirs.baseAddress } }
        return shared || self == other
    }
}
