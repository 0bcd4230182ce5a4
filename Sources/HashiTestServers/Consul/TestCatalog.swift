import Foundation

/// The Consul test server's catalog, per datacenter: nodes, service instances and checks, each
/// stamped with the Raft index of its last change, as `/v1/catalog` and `/v1/health` serve them.
/// Indexed by node and by service name, so a catalog of 150,000 instances answers one service
/// without scanning the rest.
struct TestCatalog: Sendable {
    struct Node: Sendable, Hashable {
        var name: String
        var address: String
    }

    struct Service: Sendable, Hashable {
        var node: String
        var id: String
        var name: String
        var tags: [String]
        var address: String
        var port: Int
        var meta: [String: String]
        var weights: (passing: Int, warning: Int)

        static func == (lhs: Service, rhs: Service) -> Bool {
            lhs.node == rhs.node && lhs.id == rhs.id && lhs.name == rhs.name && lhs.tags == rhs.tags && lhs.address == rhs.address
                && lhs.port == rhs.port && lhs.meta == rhs.meta && lhs.weights == rhs.weights
        }
        func hash(into hasher: inout Hasher) { hasher.combine(id); hasher.combine(node) }
    }

    struct Check: Sendable, Hashable {
        var node: String
        var id: String
        var name: String
        /// passing, warning or critical.
        var status: String
        /// Empty for a node check.
        var serviceID: String
    }

    /// One node's registrations.
    struct NodeEntries: Sendable {
        var services: [String: Service] = [:]
        var checks: [String: Check] = [:]
    }

    struct Datacenter: Sendable {
        var nodes: [String: Node] = [:]
        var entries: [String: NodeEntries] = [:]
        /// `(node, service ID)` of each instance, by service name.
        var instancesByName: [String: Set<InstanceKey>] = [:]
        /// The index of the last change to the service list, and per service name.
        var servicesIndex: UInt64 = 0
        var serviceIndex: [String: UInt64] = [:]

        struct InstanceKey: Hashable, Sendable, Comparable {
            var node: String
            var id: String
            static func < (lhs: InstanceKey, rhs: InstanceKey) -> Bool { (lhs.node, lhs.id) < (rhs.node, rhs.id) }
        }

        /// Every check, in no particular order.
        var allChecks: [Check] { entries.values.flatMap(\.checks.values) }

        func service(node: String, id: String) -> Service? { entries[node]?.services[id] }

        /// The names of the services with an instance on `node`.
        func serviceNames(onNode node: String) -> Set<String> { Set(entries[node]?.services.values.map(\.name) ?? []) }

        mutating func insert(_ service: Service) {
            if let old = entries[service.node]?.services[service.id] {
                instancesByName[old.name]?.remove(InstanceKey(node: old.node, id: old.id))
            }
            entries[service.node, default: NodeEntries()].services[service.id] = service
            instancesByName[service.name, default: []].insert(InstanceKey(node: service.node, id: service.id))
        }

        mutating func insert(_ check: Check) {
            entries[check.node, default: NodeEntries()].checks[check.id] = check
        }

        /// Removes an instance and its checks; returns it.
        mutating func removeService(node: String, id: String) -> Service? {
            guard let removed = entries[node]?.services.removeValue(forKey: id) else { return nil }
            for (checkID, check) in entries[node]?.checks ?? [:] where check.serviceID == id {
                entries[node]?.checks[checkID] = nil
            }
            instancesByName[removed.name]?.remove(InstanceKey(node: node, id: id))
            if instancesByName[removed.name]?.isEmpty == true { instancesByName[removed.name] = nil }
            return removed
        }

        mutating func removeCheck(node: String, id: String) -> Check? {
            entries[node]?.checks.removeValue(forKey: id)
        }

        /// Removes a node and everything on it; returns the names of its services.
        mutating func removeNode(_ node: String) -> Set<String> {
            let names = serviceNames(onNode: node)
            for id in entries[node]?.services.keys.map({ $0 }) ?? [] { _ = removeService(node: node, id: id) }
            entries[node] = nil
            nodes[node] = nil
            return names
        }
    }

    /// The server's own datacenter.
    static let localDatacenter = "dc1"
    var datacenters: [String: Datacenter] = [localDatacenter: Datacenter()]

    func datacenter(_ name: String?) -> Datacenter { datacenters[name ?? Self.localDatacenter] ?? Datacenter() }

    /// Services and their tags (`/v1/catalog/services`).
    func serviceTags(_ dc: String?) -> [String: [String]] {
        let center = datacenter(dc)
        var tags: [String: [String]] = [:]
        for (name, keys) in center.instancesByName {
            var union: Set<String> = []
            for key in keys { union.formUnion(center.service(node: key.node, id: key.id)?.tags ?? []) }
            tags[name] = union.sorted()
        }
        return tags
    }

    /// The instances of `name` with their node and their checks (node checks included).
    func instances(of name: String, dc: String?) -> [(node: Node, service: Service, checks: [Check])] {
        let center = datacenter(dc)
        return (center.instancesByName[name] ?? []).sorted().compactMap { key in
            guard let entries = center.entries[key.node], let service = entries.services[key.id] else { return nil }
            let checks = entries.checks.values.filter { $0.serviceID.isEmpty || $0.serviceID == service.id }.sorted { $0.id < $1.id }
            return (center.nodes[service.node] ?? Node(name: service.node, address: ""), service, checks)
        }
    }
}
