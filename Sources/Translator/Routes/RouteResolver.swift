import GlooAPI

/// A route with delegation resolved: one matcher, an action that is not a delegation, the
/// merged options, and where it was written (for reports).
struct ResolvedRoute: Sendable {
    var name: String
    var matcher: Matcher
    var action: RouteActionKind?
    var options: RouteOptions?
    /// The resource and field the route came from.
    var owner: ResourceKey
    var fieldPath: String
    /// Set when the route cannot be served as written; it becomes a direct response.
    var failure: String?
}

/// Expands VirtualService routes through RouteTable delegation with Gloo's rules
/// (`DelegationRules`): selected tables in weight order, the routes of tables that share a weight
/// sorted by path, child routes kept to the delegating route's conditions, parent options
/// inherited (the child's win), cycles broken.
struct RouteResolver {
    let routeTables: [RouteTable]
    let rejectedTables: Set<ResourceRef>
    var delegatedOptions = DelegatedOptions()
    let rootKey: String
    var report: (Severity, ResourceKey, String, String) -> Void

    func resolve(_ routes: [Route], owner: ResourceKey, path: String) -> [ResolvedRoute] {
        var visited: Set<ResourceRef> = []
        if owner.kind == .routeTable { visited.insert(owner.ref) }
        return expand(routes, owner: owner, path: path, parent: nil, visited: visited).flatMap(\.self)
    }

    /// What a delegating route hands down: the rules' parent plus the options to inherit.
    private struct Context {
        var rules: DelegationRules.Parent
        var options: RouteOptions?
    }

    /// The routes, each as the resolved routes of one route as written (one per matcher), in order.
    private func expand(
        _ routes: [Route], owner: ResourceKey, path: String, parent: Context?, visited: Set<ResourceRef>
    ) -> [[ResolvedRoute]] {
        var result: [[ResolvedRoute]] = []
        for (index, route) in routes.enumerated() {
            let routePath = "\(path)[\(index)]"
            // A redirect or direct response inherits only what applies to it (headers, CORS).
            var inherited = parent?.options
            switch route.action {
            case .redirectAction?, .directResponseAction?: inherited = inherited.map(\.withoutForwarding)
            default: break
            }
            // The route's own options, then its RouteOptions', then the parent's (Gloo's order).
            let delegated = delegatedOptions.routeOptions(route.options, refs: route.optionsConfigRefs, namespace: owner.namespace)
            for missing in delegated.missing {
                report(.warning, owner, "\(routePath).\(missing.field)", "RouteOption \(missing.ref) does not exist; its options are not applied")
            }
            let options = RouteOptions.merging(parent: inherited, child: delegated.options)
            var matchers = route.matchers.isEmpty ? [Matcher(path: .prefix("/"))] : route.matchers
            if let parent {
                switch DelegationRules.childMatchers(of: route, under: parent.rules) {
                case .success(let merged): matchers = merged
                case .failure(let refusal):
                    report(.warning, owner, routePath + refusal.field, refusal.reason)
                    continue
                }
            }
            if let rejected = delegated.rejected {
                // Serving it without that resource's options could drop a security option.
                result.append(matchers.map { matcher in
                    ResolvedRoute(name: route.name, matcher: matcher, action: nil, options: nil, owner: owner, fieldPath: routePath,
                                  failure: "\(rejected.field): RouteOption \(rejected.ref) is rejected; the route is not served without it")
                })
                continue
            }
            guard case .delegateAction(let delegate) = route.action else {
                result.append(matchers.map { matcher in
                    ResolvedRoute(
                        name: route.name, matcher: matcher, action: route.action, options: options, owner: owner,
                        fieldPath: routePath, failure: route.action == nil ? "route has no action" : nil)
                })
                continue
            }
            let served = matchers
            let failed: (String) -> [[ResolvedRoute]] = { reason in
                [served.map {
                    ResolvedRoute(name: route.name, matcher: $0, action: nil, options: options, owner: owner,
                                  fieldPath: routePath, failure: reason)
                }]
            }
            switch DelegationRules.parent(delegatingWith: matchers, route: route, inheriting: parent?.rules) {
            case .failure(let refusal): result += failed(refusal.reason)
            case .success(let rules):
                result += expandDelegate(delegate, parent: Context(rules: rules, options: options), owner: owner,
                                         path: routePath, visited: visited, failed: failed)
            }
        }
        return result
    }

    private func expandDelegate(
        _ delegate: DelegateAction, parent: Context, owner: ResourceKey, path: String, visited: Set<ResourceRef>,
        failed: (String) -> [[ResolvedRoute]]
    ) -> [[ResolvedRoute]] {
        guard let delegation = delegate.effectiveDelegation else { return failed("delegateAction has no ref or selector") }
        if case .selector(let selector) = delegation, let problem = Selection.problem(selector) {
            return failed("delegateAction.selector: \(problem)")
        }
        let tables = Selection.routeTables(for: delegation, parentNamespace: owner.namespace, in: routeTables)
            .filter { !rejectedTables.contains($0.ref) }
        if tables.isEmpty { return failed("delegates to no usable RouteTable") }
        var result: [[ResolvedRoute]] = []
        var start = tables.startIndex
        while start < tables.endIndex {
            let weight = tables[start].weight ?? 0
            let end = tables[start...].firstIndex { ($0.weight ?? 0) != weight } ?? tables.endIndex
            var routes: [[ResolvedRoute]] = []
            for table in tables[start..<end] {
                if visited.contains(table.ref) {
                    report(.warning, owner, path + ".delegateAction", "delegation cycle through \(table.ref); not followed")
                    continue
                }
                let tableKey = ResourceKey(rootKey: rootKey, kind: .routeTable, namespace: table.metadata.namespace,
                                           name: table.metadata.name)
                routes += expand(table.routes, owner: tableKey, path: "routes", parent: parent,
                                 visited: visited.union([table.ref]))
            }
            // Gloo sorts only when tables share a weight, so `/a` in one cannot shadow `/a/b` in another.
            result += end - start > 1 ? RouteSpecificity.sorted(routes) { $0.map(\.matcher) } : routes
            start = end
        }
        return result
    }
}

extension RouteOptions {
    /// The options set here that only apply to routes that forward to an upstream (one list
    /// with `withoutForwarding`, which clears exactly these).
    var forwardingOnlyOptionsSet: [String] {
        [
            ("prefixRewrite", prefixRewrite != nil), ("timeout", timeout != nil), ("retries", retries != nil),
            ("hostRewrite", hostRewrite != nil), ("regexRewrite", regexRewrite != nil), ("idleTimeout", idleTimeout != nil),
            ("maxStreamDuration", maxStreamDuration != nil), ("upgrades", upgrades != nil), ("shadowing", shadowing != nil),
            ("lbHash", lbHash != nil), ("appendXForwardedHost", appendXForwardedHost != nil), ("faults", faults != nil),
        ].filter(\.1).map(\.0)
    }

    /// These options without those that only apply to routes that forward to an upstream.
    var withoutForwarding: RouteOptions {
        var kept = self
        kept.prefixRewrite = nil
        kept.timeout = nil
        kept.retries = nil
        kept.hostRewrite = nil
        kept.regexRewrite = nil
        kept.idleTimeout = nil
        kept.maxStreamDuration = nil
        kept.upgrades = nil
        kept.shadowing = nil
        kept.lbHash = nil
        kept.appendXForwardedHost = nil
        kept.faults = nil
        return kept
    }

    /// The child's options, with every field it leaves unset taken from the parent.
    static func merging(parent: RouteOptions?, child: RouteOptions?) -> RouteOptions? {
        guard let parent else { return child }
        guard var merged = child else { return parent }
        merged.prefixRewrite = merged.prefixRewrite ?? parent.prefixRewrite
        merged.timeout = merged.timeout ?? parent.timeout
        merged.retries = merged.retries ?? parent.retries
        merged.headerManipulation = merged.headerManipulation ?? parent.headerManipulation
        merged.hostRewrite = merged.hostRewrite ?? parent.hostRewrite
        merged.cors = merged.cors ?? parent.cors
        merged.idleTimeout = merged.idleTimeout ?? parent.idleTimeout
        merged.maxStreamDuration = merged.maxStreamDuration ?? parent.maxStreamDuration
        merged.appendXForwardedHost = merged.appendXForwardedHost ?? parent.appendXForwardedHost
        merged.upgrades = merged.upgrades ?? parent.upgrades
        merged.regexRewrite = merged.regexRewrite ?? parent.regexRewrite
        merged.shadowing = merged.shadowing ?? parent.shadowing
        merged.lbHash = merged.lbHash ?? parent.lbHash
        merged.faults = merged.faults ?? parent.faults
        merged.bufferPerRoute = merged.bufferPerRoute ?? parent.bufferPerRoute
        merged.csrf = merged.csrf ?? parent.csrf
        merged.ratelimit = merged.ratelimit ?? parent.ratelimit
        merged.tracing = merged.tracing ?? parent.tracing
        return merged
    }
}
