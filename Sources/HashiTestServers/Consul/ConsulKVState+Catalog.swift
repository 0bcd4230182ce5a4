import Foundation

/// Catalog writes (`/v1/catalog/register` and `deregister`) and the indexes reads block on.
extension ConsulKVState {
    /// A registration as `/v1/catalog/register` takes it.
    struct Registration: Sendable {
        var datacenter: String?
        var node: String
        var address: String
        var service: TestCatalog.Service?
        var checks: [TestCatalog.Check]
    }

    func register(_ registration: Registration) {
        let dc = registration.datacenter ?? TestCatalog.localDatacenter
        raftIndex += 1
        var center = catalog.datacenters[dc] ?? TestCatalog.Datacenter()
        let address = registration.address.isEmpty ? center.nodes[registration.node]?.address ?? "" : registration.address
        center.nodes[registration.node] = TestCatalog.Node(name: registration.node, address: address)
        var touched: Set<String> = []
        if let service = registration.service {
            center.services["\(registration.node)/\(service.id)"] = service
            touched.insert(service.name)
            center.servicesIndex = raftIndex
        }
        for check in registration.checks {
            center.checks["\(registration.node)/\(check.id)"] = check
            if check.serviceID.isEmpty {
                touched.formUnion(center.services.values.filter { $0.node == registration.node }.map(\.name))
            } else if let service = center.services["\(registration.node)/\(check.serviceID)"] {
                touched.insert(service.name)
            }
        }
        for name in touched { center.serviceIndex[name] = raftIndex }
        catalog.datacenters[dc] = center
        changed()
    }

    /// Removes a service, a check, or (neither given) the node with everything on it.
    func deregister(datacenter: String?, node: String, serviceID: String?, checkID: String?) {
        let dc = datacenter ?? TestCatalog.localDatacenter
        guard var center = catalog.datacenters[dc] else { return }
        raftIndex += 1
        var touched: Set<String> = []
        if let serviceID {
            if let removed = center.services.removeValue(forKey: "\(node)/\(serviceID)") { touched.insert(removed.name) }
            center.checks = center.checks.filter { !($0.value.node == node && $0.value.serviceID == serviceID) }
        } else if let checkID {
            if let removed = center.checks.removeValue(forKey: "\(node)/\(checkID)") {
                touched = removed.serviceID.isEmpty
                    ? Set(center.services.values.filter { $0.node == node }.map(\.name))
                    : Set(center.services.values.filter { $0.node == node && $0.id == removed.serviceID }.map(\.name))
            }
        } else {
            touched = Set(center.services.values.filter { $0.node == node }.map(\.name))
            center.nodes[node] = nil
            center.services = center.services.filter { $0.value.node != node }
            center.checks = center.checks.filter { $0.value.node != node }
        }
        if serviceID != nil || checkID == nil { center.servicesIndex = raftIndex }
        for name in touched { center.serviceIndex[name] = raftIndex }
        catalog.datacenters[dc] = center
        changed()
    }

    /// The index `/v1/catalog/services` reports in `dc`.
    func servicesIndex(_ dc: String?) -> UInt64 { max(catalog.datacenter(dc).servicesIndex, 1) }

    /// The index reads of one service report (its instances and their checks) in `dc`.
    func serviceIndex(_ name: String, _ dc: String?) -> UInt64 {
        let center = catalog.datacenter(dc)
        return max(center.serviceIndex[name] ?? center.servicesIndex, 1)
    }
}
