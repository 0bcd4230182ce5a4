/// Resources of every kind, each list sorted by namespace and name.
public struct ResourceSet: Hashable, Sendable {
    public var upstreams: [Upstream] = []
    public var upstreamGroups: [UpstreamGroup] = []
    public var proxies: [Proxy] = []
    public var secrets: [Secret] = []
    public var artifacts: [Artifact] = []
    public var endpoints: [Endpoint] = []
    public var settings: [Settings] = []
    public var gateways: [Gateway] = []
    public var virtualServices: [VirtualService] = []
    public var routeTables: [RouteTable] = []
    public var virtualHostOptions: [VirtualHostOption] = []
    public var routeOptions: [RouteOption] = []

    public init() {}

    /// Adds a resource to the list of its kind.
    public mutating func insert(_ resource: AnyResource) {
        switch resource {
        case .upstream(let value): upstreams.append(value)
        case .upstreamGroup(let value): upstreamGroups.append(value)
        case .proxy(let value): proxies.append(value)
        case .secret(let value): secrets.append(value)
        case .artifact(let value): artifacts.append(value)
        case .endpoint(let value): endpoints.append(value)
        case .settings(let value): settings.append(value)
        case .gateway(let value): gateways.append(value)
        case .virtualService(let value): virtualServices.append(value)
        case .routeTable(let value): routeTables.append(value)
        case .virtualHostOption(let value): virtualHostOptions.append(value)
        case .routeOption(let value): routeOptions.append(value)
        }
    }

    /// Replaces the resource of the same kind, namespace and name; false when there is none.
    public mutating func replace(_ resource: AnyResource) -> Bool {
        func swap<R: Resource>(_ list: inout [R], _ value: R) -> Bool {
            guard let index = list.firstIndex(where: { $0.metadata.name == value.metadata.name && $0.metadata.namespace == value.metadata.namespace })
            else { return false }
            list[index] = value
            return true
        }
        switch resource {
        case .upstream(let value): return swap(&upstreams, value)
        case .upstreamGroup(let value): return swap(&upstreamGroups, value)
        case .proxy(let value): return swap(&proxies, value)
        case .secret(let value): return swap(&secrets, value)
        case .artifact(let value): return swap(&artifacts, value)
        case .endpoint(let value): return swap(&endpoints, value)
        case .settings(let value): return swap(&settings, value)
        case .gateway(let value): return swap(&gateways, value)
        case .virtualService(let value): return swap(&virtualServices, value)
        case .routeTable(let value): return swap(&routeTables, value)
        case .virtualHostOption(let value): return swap(&virtualHostOptions, value)
        case .routeOption(let value): return swap(&routeOptions, value)
        }
    }

    /// Removes the resource of `kind` named `ref`; false when there is none.
    @discardableResult
    public mutating func remove(_ kind: ResourceKind, _ ref: ResourceRef) -> Bool {
        func drop<R: Resource>(_ list: inout [R]) -> Bool {
            let count = list.count
            list.removeAll { $0.ref == ref }
            return list.count != count
        }
        switch kind {
        case .upstream: return drop(&upstreams)
        case .upstreamGroup: return drop(&upstreamGroups)
        case .proxy: return drop(&proxies)
        case .secret: return drop(&secrets)
        case .artifact: return drop(&artifacts)
        case .endpoint: return drop(&endpoints)
        case .settings: return drop(&settings)
        case .gateway: return drop(&gateways)
        case .virtualService: return drop(&virtualServices)
        case .routeTable: return drop(&routeTables)
        case .virtualHostOption: return drop(&virtualHostOptions)
        case .routeOption: return drop(&routeOptions)
        default: return false
        }
    }

    /// Sorts every list by namespace and name, so equal sets compare and hash equal.
    public mutating func sort() {
        upstreams.sort { $0.ref < $1.ref }
        upstreamGroups.sort { $0.ref < $1.ref }
        proxies.sort { $0.ref < $1.ref }
        secrets.sort { $0.ref < $1.ref }
        artifacts.sort { $0.ref < $1.ref }
        endpoints.sort { $0.ref < $1.ref }
        settings.sort { $0.ref < $1.ref }
        gateways.sort { $0.ref < $1.ref }
        virtualServices.sort { $0.ref < $1.ref }
        routeTables.sort { $0.ref < $1.ref }
        virtualHostOptions.sort { $0.ref < $1.ref }
        routeOptions.sort { $0.ref < $1.ref }
    }

    /// The resources of type `R`.
    public func list<R: Resource>(_ type: R.Type) -> [R] {
        let all: [any Resource]
        switch R.kind.name {
        case Upstream.kind.name: all = upstreams
        case UpstreamGroup.kind.name: all = upstreamGroups
        case Proxy.kind.name: all = proxies
        case Secret.kind.name: all = secrets
        case Artifact.kind.name: all = artifacts
        case Endpoint.kind.name: all = endpoints
        case Settings.kind.name: all = settings
        case Gateway.kind.name: all = gateways
        case VirtualService.kind.name: all = virtualServices
        case VirtualHostOption.kind.name: all = virtualHostOptions
        case RouteOption.kind.name: all = routeOptions
        default: all = routeTables
        }
        return all.compactMap { $0 as? R }
    }

    /// How many resources there are in all.
    public var count: Int {
        upstreams.count + upstreamGroups.count + proxies.count + secrets.count + artifacts.count + endpoints.count
            + settings.count + gateways.count + virtualServices.count + routeTables.count + virtualHostOptions.count
            + routeOptions.count
    }
}
