import GlooAPI
import Translator

/// What the writer last did for a key, so a quiet store costs no request: the version it wrote
/// on, the version that produced, and the status (nil: the value could not take one).
struct StatusMemo: Hashable, Sendable {
    var from: UInt64
    var to: UInt64?
    var status: Status?

    func covers(version: UInt64, status wanted: Status) -> Bool {
        (from == version || to == version) && (status == wanted || status == nil)
    }
}

/// Which statuses differ from what is stored: Gloo's shape (`reportedBy` `gateway` for
/// Gateways, VirtualServices and RouteTables, `gloo` for Upstreams and UpstreamGroups), written
/// only where the stored one is different. Pure, so it is tested without a store.
enum StatusPlan {
    /// The kinds that carry statuses, and who reports them.
    static let reporters: [(kind: ResourceKind, reportedBy: String)] = [
        (.gateway, "gateway"), (.virtualService, "gateway"), (.routeTable, "gateway"),
        (.virtualHostOption, "gateway"), (.routeOption, "gateway"), (.upstream, "gloo"), (.upstreamGroup, "gloo"),
    ]

    /// The status translation gives the resource at `key` (Accepted when nothing was reported).
    static func status(for key: String, reportedBy: String, in reports: Reports) -> Status {
        guard let report = reports.byKey[key] else { return Status(state: .accepted, reportedBy: reportedBy) }
        return Status(state: report.state, reason: report.reason, reportedBy: reportedBy)
    }

    /// The writes that bring the stored statuses in line with `reports`.
    static func writes(
        listing: ResourceListing, reports: Reports, reporterNamespace: String, rootKey: String, memo: [String: StatusMemo]
    ) -> [StatusChange] {
        var writes: [StatusChange] = []
        func plan<R: Resource>(_ resources: [R], reportedBy: String) {
            for resource in resources {
                let key = ResourceKey(rootKey: rootKey, kind: R.kind, namespace: resource.metadata.namespace, name: resource.metadata.name)
                let wanted = status(for: key.key, reportedBy: reportedBy, in: reports)
                if resource.namespacedStatuses.statuses[reporterNamespace] == wanted { continue }
                guard let version = UInt64(resource.metadata.resourceVersion) else { continue }
                if memo[key.key]?.covers(version: version, status: wanted) == true { continue }
                writes.append(StatusChange(key: key, status: wanted, basis: StatusBasis(version: version, resource: AnyResource(resource))))
            }
        }
        let resources = listing.resources
        plan(resources.gateways, reportedBy: "gateway")
        plan(resources.virtualServices, reportedBy: "gateway")
        plan(resources.routeTables, reportedBy: "gateway")
        plan(resources.virtualHostOptions, reportedBy: "gateway")
        plan(resources.routeOptions, reportedBy: "gateway")
        plan(resources.upstreams, reportedBy: "gloo")
        plan(resources.upstreamGroups, reportedBy: "gloo")
        // Rejected values have no resource to read a status from: the memo says what is stored.
        for (text, version) in listing.rejectedVersions.sorted(by: { $0.key < $1.key }) {
            guard case .success(let key) = ResourceKey.parse(text, rootKey: rootKey),
                  let reporter = reporters.first(where: { $0.kind == key.kind })
            else { continue }
            let wanted = status(for: text, reportedBy: reporter.reportedBy, in: reports)
            if memo[text]?.covers(version: version, status: wanted) == true { continue }
            writes.append(StatusChange(key: key, status: wanted, basis: StatusBasis(version: version, resource: nil)))
        }
        return writes
    }
}
