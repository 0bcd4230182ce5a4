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
        raftIndex += 1
        apply(registration)
        changed()
    }

    /// Many registrations at one index (test set-up at scale).
    func register(_ registrations: [Registration]) {
        raftIndex += 1
        for registration in registrations { apply(registration) }
        changed()
    }

    private func apply(_ registration: Registration) {
        let dc = registration.datacenter ?? TestCatalog.localDatacenter
        update(dc) { center in apply(registration, to: &center) }
    }

    /// Edits one datacenter in place (a copy of 150,000 instances per write would be quadratic).
    private func update<T>(_ dc: String, _ body: (inout TestCatalog.Datacenter) -> T) -> T {
        body(&catalog.datacenters[dc, default: TestCatalog.Datacenter()])
    }

    private func apply(_ registration: Registration, to center: inout TestCatalog.Datacenter) {
        let address = registration.address.isEmpty ? center.nodes[registration.node]?.address ?? "" : registration.address
        center.nodes[registration.node] = TestCatalog.Node(name: registration.node, address: address)
        var touched: Set<String> = []
        if let service = registration.service {
            if let old = center.service(node: registration.node, id: service.id) { touched.insert(old.name) }
            center.insert(service)
            touched.insert(service.name)
            center.servicesIndex = raftIndex
        }
        for check in registration.checks {
            center.insert(check)
            if check.serviceID.isEmpty {
                touched.formUnion(center.serviceNames(onNode: registration.node))
            } else if let service = center.service(node: registration.node, id: check.serviceID) {
                touched.insert(service.name)
            }
        }
        for name in touched { center.serviceIndex[name] = raftIndex }
    }

    /// Removes a service, a check, or (neither given) the node with everything on it.
    func deregister(datacenter: String?, node: String, serviceID: String?, checkID: String?) {
        let dc = datacenter ?? TestCatalog.localDatacenter
        guard catalog.datacenters[dc] != nil else { return }
        raftIndex += 1
        update(dc) { center in deregister(node: node, serviceID: serviceID, checkID: checkID, in: &center) }
        changed()
    }

    private func deregister(node: String, serviceID: String?, checkID: String?, in center: inout TestCatalog.Datacenter) {
        var touched: Set<String> = []
        if let serviceID {
            if let removed = center.removeService(node: node, id: serviceID) { touched.insert(removed.name) }
        } else if let checkID {
            if let removed = center.removeCheck(node: node, id: checkID) {
                if removed.serviceID.isEmpty {
                    touched = center.serviceNames(onNode: node)
                } else if let service = center.service(node: node, id: removed.serviceID) {
                    touched = [service.name]
                }
            }
        } else {
            touched = center.removeNode(node)
        }
        if serviceID != nil || checkID == nil { center.servicesIndex = raftIndex }
        for name in touched { center.serviceIndex[name] = raftIndex }
    }

    /// The index `/v1/catalog/services` reports in `dc`.
    func servicesIndex(_ dc: String?) -> UInt64 { max(catalog.datacenter(dc).servicesIndex, 1) }

    /// The index reads of one service report (its instances and their checks) in `dc`.
    func serviceIndex(_ name: String, _ dc: String?) -> UInt64 {
        let center = catalog.datacenter(dc)
        return max(center.serviceIndex[name] ?? center.servicesIndex, 1)
    }
}
