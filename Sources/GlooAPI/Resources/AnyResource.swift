/// A resource of any kind, for code that handles every kind the same way (stores, listings).
public enum AnyResource: Hashable, Sendable {
    case upstream(Upstream)
    case upstreamGroup(UpstreamGroup)
    case proxy(Proxy)
    case secret(Secret)
    case artifact(Artifact)
    case endpoint(Endpoint)
    case settings(Settings)
    case gateway(Gateway)
    case virtualService(VirtualService)
    case routeTable(RouteTable)
    case virtualHostOption(VirtualHostOption)
    case routeOption(RouteOption)

    /// Wraps a typed resource.
    public init<R: Resource>(_ resource: R) {
        switch resource {
        case let value as Upstream: self = .upstream(value)
        case let value as UpstreamGroup: self = .upstreamGroup(value)
        case let value as Proxy: self = .proxy(value)
        case let value as Secret: self = .secret(value)
        case let value as Artifact: self = .artifact(value)
        case let value as Endpoint: self = .endpoint(value)
        case let value as Settings: self = .settings(value)
        case let value as Gateway: self = .gateway(value)
        case let value as VirtualService: self = .virtualService(value)
        case let value as RouteTable: self = .routeTable(value)
        case let value as VirtualHostOption: self = .virtualHostOption(value)
        case let value as RouteOption: self = .routeOption(value)
        default: preconditionFailure("unknown resource type \(R.self)")
        }
    }

    /// The wrapped resource as a protocol value.
    public var resource: any Resource {
        switch self {
        case .upstream(let value): value
        case .upstreamGroup(let value): value
        case .proxy(let value): value
        case .secret(let value): value
        case .artifact(let value): value
        case .endpoint(let value): value
        case .settings(let value): value
        case .gateway(let value): value
        case .virtualService(let value): value
        case .routeTable(let value): value
        case .virtualHostOption(let value): value
        case .routeOption(let value): value
        }
    }

    public var kind: ResourceKind { Swift.type(of: resource).kind }

    /// Whether both are the same configuration, apart from what the store keeps on it (the
    /// `resourceVersion` and the statuses): a status write-back is not a configuration change.
    public func sameConfiguration(as other: AnyResource) -> Bool {
        func same<R: Resource>(_ left: R, _ right: AnyResource) -> Bool {
            guard let right = right.typed(R.self) else { return false }
            return left.withoutStoreState() == right.withoutStoreState()
        }
        switch self {
        case .upstream(let value): return same(value, other)
        case .upstreamGroup(let value): return same(value, other)
        case .proxy(let value): return same(value, other)
        case .secret(let value): return same(value, other)
        case .artifact(let value): return same(value, other)
        case .endpoint(let value): return same(value, other)
        case .settings(let value): return same(value, other)
        case .gateway(let value): return same(value, other)
        case .virtualService(let value): return same(value, other)
        case .routeTable(let value): return same(value, other)
        case .virtualHostOption(let value): return same(value, other)
        case .routeOption(let value): return same(value, other)
        }
    }
    public var metadata: Metadata { resource.metadata }

    /// The typed resource, if it is of type `R`.
    public func typed<R: Resource>(_ type: R.Type = R.self) -> R? { resource as? R }

    /// The Swift type for a kind.
    public static func type(for kind: ResourceKind) -> any Resource.Type {
        switch kind.name {
        case Upstream.kind.name: Upstream.self
        case UpstreamGroup.kind.name: UpstreamGroup.self
        case Proxy.kind.name: Proxy.self
        case Secret.kind.name: Secret.self
        case Artifact.kind.name: Artifact.self
        case Endpoint.kind.name: Endpoint.self
        case Settings.kind.name: Settings.self
        case Gateway.kind.name: Gateway.self
        case VirtualService.kind.name: VirtualService.self
        case VirtualHostOption.kind.name: VirtualHostOption.self
        case RouteOption.kind.name: RouteOption.self
        default: RouteTable.self
        }
    }
}
