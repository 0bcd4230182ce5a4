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

/// Expands VirtualService routes through RouteTable delegation with Gloo's rules: selected
/// tables in weight order, child matchers under the parent's prefix, parent options inherited
/// (the child's win), cycles broken.
struct RouteResolver {
    let routeTables: [RouteTable]
    let rejectedTables: Set<ResourceRef>
    let rootKey: String
    var report: (Severity, ResourceKey, String, String) -> Void

    func resolve(_ routes: [Route], owner: ResourceKey, path: String) -> [ResolvedRoute] {
        var visited: Set<ResourceRef> = []
        if owner.kind == .routeTable { visited.insert(owner.ref) }
        return expand(routes, owner: owner, path: path, parent: nil, visited: visited)
    }

    private struct Parent {
        var prefix: String
        var matcher: Matcher
        var inheritMatchers: Bool
        var options: RouteOptions?
    }

    private func expand(
        _ routes: [Route], owner: ResourceKey, path: String, parent: Parent?, visited: Set<ResourceRef>
    ) -> [ResolvedRoute] {
        var result: [ResolvedRoute] = []
        for (index, route) in routes.enumerated() {
            let routePath = "\(path)[\(index)]"
            let options = RouteOptions.merging(parent: parent?.options, child: route.options)
            var matchers = route.matchers.isEmpty ? [Matcher(path: .prefix("/"))] : route.matchers
            if let parent {
                matchers = matchers.enumerated().compactMap { matcherIndex, matcher in
                    guard Self.stays(matcher, under: parent.prefix) else {
                        report(.warning, owner, "\(routePath).matchers[\(matcherIndex)]",
                               "does not start with the delegating route's prefix '\(parent.prefix)'; route not served")
                        return nil
                    }
                    return parent.inheritMatchers || route.inheritableMatchers == true
                        ? Self.inherit(matcher, from: parent.matcher) : matcher
                }
            }
            guard case .delegateAction(let delegate) = route.action else {
                for matcher in matchers {
                    result.append(ResolvedRoute(
                        name: route.name, matcher: matcher, action: route.action, options: options, owner: owner,
                        fieldPath: routePath, failure: route.action == nil ? "route has no action" : nil))
                }
                continue
            }
            result += expandDelegate(
                delegate, matchers: matchers, route: route, options: options, owner: owner, path: routePath,
                visited: visited)
        }
        return result
    }

    private func expandDelegate(
        _ delegate: DelegateAction, matchers: [Matcher], route: Route, options: RouteOptions?, owner: ResourceKey,
        path: String, visited: Set<ResourceRef>
    ) -> [ResolvedRoute] {
        let failed: (String) -> [ResolvedRoute] = { reason in
            matchers.map {
                ResolvedRoute(name: route.name, matcher: $0, action: nil, options: options, owner: owner, fieldPath: path,
                              failure: reason)
            }
        }
        guard let delegation = delegate.effectiveDelegation else { return failed("delegateAction has no ref or selector") }
        let tables = Selection.routeTables(for: delegation, parentNamespace: owner.namespace, in: routeTables)
            .filter { !rejectedTables.contains($0.ref) }
        if tables.isEmpty { return failed("delegates to no usable RouteTable") }
        var result: [ResolvedRoute] = []
        for matcher in matchers {
            guard case .prefix(let prefix)? = matcher.path ?? .prefix("/") else {
                result += failed("a delegating route may only use prefix matchers")
                continue
            }
            let parent = Parent(prefix: prefix, matcher: matcher, inheritMatchers: route.inheritableMatchers == true,
                                options: options)
            for table in tables {
                if visited.contains(table.ref) {
                    report(.warning, owner, path + ".delegateAction", "delegation cycle through \(table.ref); not followed")
                    continue
                }
                let tableKey = ResourceKey(rootKey: rootKey, kind: .routeTable, namespace: table.metadata.namespace,
                                           name: table.metadata.name)
                result += expand(table.routes, owner: tableKey, path: "routes", parent: parent,
                                 visited: visited.union([table.ref]))
            }
        }
        return result
    }

    /// Whether a child matcher's path stays under the parent's prefix (regexes cannot be checked
    /// and are accepted, as Gloo does).
    static func stays(_ matcher: Matcher, under prefix: String) -> Bool {
        switch matcher.path {
        case .prefix(let value), .exact(let value): value.hasPrefix(prefix)
        case nil: prefix == "/"
        case .regex, .connectMatcher: true
        }
    }

    /// The child matcher with the parent's header, query and method conditions added.
    static func inherit(_ child: Matcher, from parent: Matcher) -> Matcher {
        var merged = child
        merged.headers = parent.headers + child.headers
        merged.queryParameters = parent.queryParameters + child.queryParameters
        if merged.methods.isEmpty { merged.methods = parent.methods }
        return merged
    }
}

extension RouteOptions {
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
        return merged
    }
}
