import Foundation

/// The Consul test server's catalog, per datacenter: nodes, service instances and checks, each
/// stamped with the Raft index of its last change, as `/v1/catalog` and `/v1/health` serve them.
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

    struct Datacenter: Sendable {
        var nodes: [String: Node] = [:]
        /// By `node/serviceID`.
        var services: [String: Service] = [:]
        /// By `node/checkID`.
        var checks: [String: Check] = [:]
        /// The index of the last change to the service list, and per service name.
        var servicesIndex: UInt64 = 0
        var serviceIndex: [String: UInt64] = [:]
    }

    /// The server's own datacenter.
    static let localDatacenter = "dc1"
    var datacenters: [String: Datacenter] = [localDatacenter: Datacenter()]

    func datacenter(_ name: String?) -> Datacenter { datacenters[name ?? Self.localDatacenter] ?? Datacenter() }

    /// Services and their tags (`/v1/catalog/services`).
    func serviceTags(_ dc: String?) -> [String: [String]] {
        var tags: [String: Set<String>] = [:]
        for service in datacenter(dc).services.values { tags[service.name, default: []].formUnion(service.tags) }
        return tags.mapValues { $0.sorted() }
    }

    /// The instances of `name` with their node and their checks (node checks included).
    func instances(of name: String, dc: String?) -> [(node: Node, service: Service, checks: [Check])] {
        let center = datacenter(dc)
        return center.services.values.filter { $0.name == name }.sorted { ($0.node, $0.id) < ($1.node, $1.id) }.map { service in
            let checks = center.checks.values.filter { $0.node == service.node && ($0.serviceID.isEmpty || $0.serviceID == service.id) }
                .sorted { $0.id < $1.id }
            return (center.nodes[service.node] ?? Node(name: service.node, address: ""), service, checks)
        }
    }

    /// The service names a node's instances belong to (a node check touches them all).
    func serviceNames(onNode node: String, dc: String) -> Set<String> {
        Set(datacenter(dc).services.values.filter { $0.node == node }.map(\.name))
    }
}
