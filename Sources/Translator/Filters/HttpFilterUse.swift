import GlooAPI

/// The HTTP filters a chain's routes need because a virtual host, route or weighted destination
/// configures them (their listener-wide configuration may be absent): the filter is added to
/// the connection manager, its per-route configuration does the work.
struct HttpFilterUse: OptionSet, Hashable, Sendable {
    let rawValue: UInt8

    static let cors = HttpFilterUse(rawValue: 1 << 0)
    static let fault = HttpFilterUse(rawValue: 1 << 1)
    static let csrf = HttpFilterUse(rawValue: 1 << 2)
    static let localRateLimit = HttpFilterUse(rawValue: 1 << 3)

    /// What one virtual host and its (resolved) routes use.
    static func of(host: VirtualHostOptions?, routes: [ResolvedRoute]) -> HttpFilterUse {
        var use = of(host)
        for route in routes {
            use.formUnion(of(route.options))
            guard case .routeAction(let action) = route.action, case .multi(let multi)? = action.destination else { continue }
            if multi.destinations.contains(where: { $0.options?.csrf != nil }) { use.insert(.csrf) }
        }
        return use
    }

    private static func of(_ options: VirtualHostOptions?) -> HttpFilterUse {
        guard let options else { return [] }
        var use: HttpFilterUse = []
        if options.cors != nil { use.insert(.cors) }
        if options.csrf != nil { use.insert(.csrf) }
        if options.ratelimit?.localRatelimit != nil { use.insert(.localRateLimit) }
        return use
    }

    private static func of(_ options: RouteOptions?) -> HttpFilterUse {
        guard let options else { return [] }
        var use: HttpFilterUse = []
        if options.cors != nil { use.insert(.cors) }
        if options.faults != nil { use.insert(.fault) }
        if options.csrf != nil { use.insert(.csrf) }
        if options.ratelimit?.localRatelimit != nil { use.insert(.localRateLimit) }
        return use
    }
}
