import EnvoyAPI
import Foundation
import SwiftProtobuf

/// A translation's account of what it kept from the one before it, per kind of Envoy resource
/// of one proxy. The publisher rebuilds only what it names, and only when its last publish was
/// built from `base`; whatever the translator shares or copies, the account says what changed.
public struct ReuseAccount: Sendable, Equatable {
    /// The kinds of Envoy resources, as lists in `EnvoyResources`.
    public enum Kind: String, CaseIterable, Sendable {
        case clusters, loadAssignments, listeners, routeConfigurations, scopedRoutes, secrets
    }

    /// How one kind's list compares with the base translation's.
    public enum Change: Sendable, Equatable {
        /// The same resources in the same order, byte for byte.
        case unchanged
        /// The same names in the same order; the resources at these positions have new bytes.
        case changed(positions: [Int])
        /// Resources added, removed or reordered: compare by name.
        case reshaped
    }

    /// The generation of the translation this account is relative to; nil when there is none
    /// (the first translation of this proxy with a cache, or a translation without one).
    public var base: UInt64?
    public var changes: [Kind: Change]

    /// An account that relates to nothing: every kind is compared by name.
    public static let none = ReuseAccount(base: nil, changes: [:])

    /// The change of `kind`; reshaped when the account has no base.
    public func change(of kind: Kind) -> Change { base == nil ? .reshaped : changes[kind] ?? .reshaped }

    /// What `current` kept from `previous`, kind by kind. Serializations are compared (a
    /// shared buffer is only a shortcut to "equal"); without one, the messages are.
    static func between(_ current: EnvoyResources, _ previous: EnvoyResources, base: UInt64) -> ReuseAccount {
        let (now, then) = (current.payloads, previous.payloads)
        return ReuseAccount(base: base, changes: [
            .clusters: compare(current.clusters, previous.clusters, now.clusters, then.clusters) { $0.name },
            .loadAssignments: compare(current.loadAssignments, previous.loadAssignments, now.loadAssignments,
                                      then.loadAssignments) { $0.clusterName },
            .listeners: compare(current.listeners, previous.listeners, [Data](), []) { $0.name },
            .routeConfigurations: compare(current.routeConfigurations, previous.routeConfigurations, now.routeConfigurations,
                                          then.routeConfigurations) { $0.name },
            .scopedRoutes: compare(current.scopedRouteConfigurations, previous.scopedRouteConfigurations, now.scopedRoutes,
                                   then.scopedRoutes) { $0.name },
            .secrets: compare(current.secrets, previous.secrets, [Data](), []) { $0.name },
        ])
    }

    /// `Payload` is `Data` or `Data?` (the lists EnvoyResources keeps), read in place.
    private static func compare<M: SwiftProtobuf.Message & Equatable, Payload: PayloadSlot>(
        _ current: [M], _ previous: [M], _ payloads: [Payload], _ previousPayloads: [Payload], name: (M) -> String
    ) -> Change {
        guard current.count == previous.count else { return .reshaped }
        if current.isOneBuffer(with: previous) { return .unchanged }
        let serialized = payloads.count == current.count && previousPayloads.count == previous.count
        var positions: [Int] = []
        for index in current.indices {
            if serialized, let bytes = payloads[index].bytes, let old = previousPayloads[index].bytes {
                // Equal serializations are equal resources, names included.
                if bytes.isOneBuffer(with: old) || bytes == old { continue }
            } else if current[index] == previous[index] {
                continue
            }
            guard name(current[index]) == name(previous[index]) else { return .reshaped }
            positions.append(index)
        }
        return positions.isEmpty ? .unchanged : .changed(positions: positions)
    }
}

/// An entry of a payload list (`EnvoyResources.Payloads`): a serialization, or none made.
public protocol PayloadSlot {
    var bytes: Data? { get }
}

extension Data: PayloadSlot {
    public var bytes: Data? { self }
}

extension Optional: PayloadSlot where Wrapped == Data {
    public var bytes: Data? { self }
}

extension Array {
    /// Whether both are one buffer (one array shared), so equal without a look at the elements.
    func isOneBuffer(with other: [Element]) -> Bool {
        count == other.count
            && withUnsafeBufferPointer { mine in other.withUnsafeBufferPointer { theirs in mine.baseAddress == theirs.baseAddress } }
    }
}

extension Data {
    /// Whether both share one buffer, so equal without comparing bytes.
    func isOneBuffer(with other: Data) -> Bool {
        count == other.count && count > 0
            && withUnsafeBytes { mine in other.withUnsafeBytes { theirs in mine.baseAddress == theirs.baseAddress } }
    }
}
