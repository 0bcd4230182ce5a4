import GlooAPI

/// Gloo's rules for routes reached through delegation: the one prefix matcher a delegating route
/// hands down, what a child route inherits from it, and which child routes are not served
/// because they would serve requests the delegating route does not.
enum DelegationRules {
    /// What a delegating route hands to the routes of the tables it selects.
    struct Parent: Sendable {
        /// The delegating route's matcher; its path is always a prefix.
        var matcher: Matcher
        var prefix: String
        /// The delegating route's `inheritableMatchers`, itself inherited when unset.
        var inheritableMatchers: Bool
        var inheritablePathMatchers: Bool
    }

    /// Why a route cannot be used as written: the field (relative to the route) and the reason.
    struct Refusal: Error, Sendable, Equatable {
        var field: String
        var reason: String
    }

    /// The parent a delegating route with `matchers` (after its own inheritance) makes, or why it
    /// cannot delegate: Gloo allows at most one matcher, and only a prefix (none means `/`).
    static func parent(
        delegatingWith matchers: [Matcher], route: Route, inheriting outer: Parent?
    ) -> Result<Parent, Refusal> {
        guard matchers.count <= 1 else {
            return .failure(Refusal(field: ".matchers", reason: "routes with delegate actions must omit or specify a single matcher"))
        }
        var matcher = matchers.first ?? Matcher(path: .prefix("/"))
        let prefix: String
        switch matcher.path {
        case .prefix(let value): prefix = value
        case nil: prefix = "/"; matcher.path = .prefix("/")
        default: return .failure(Refusal(field: ".matchers[0]", reason: "a delegating route may only use a prefix matcher"))
        }
        let flags = inheritance(of: route, under: outer)
        return .success(Parent(matcher: matcher, prefix: prefix, inheritableMatchers: flags.matchers,
                               inheritablePathMatchers: flags.pathMatchers))
    }

    /// A route's inheritance flags: its own where set, else its delegating route's (Gloo passes
    /// them down the chain).
    static func inheritance(of route: Route, under parent: Parent?) -> (matchers: Bool, pathMatchers: Bool) {
        (route.inheritableMatchers ?? parent?.inheritableMatchers ?? false,
         route.inheritablePathMatchers ?? parent?.inheritablePathMatchers ?? false)
    }

    /// A child route's matchers with what it inherits merged in, or why the route is not served:
    /// every matcher must stay under the parent's prefix with the parent's case sensitivity and
    /// require at least the parent's headers, query parameters and methods.
    static func childMatchers(of route: Route, under parent: Parent) -> Result<[Matcher], Refusal> {
        let flags = inheritance(of: route, under: parent)
        var matchers = route.matchers
        if flags.pathMatchers {
            if matchers.isEmpty { matchers = [Matcher(path: nil)] }
            for index in matchers.indices {
                matchers[index].path = parent.matcher.path
                matchers[index].caseSensitive = parent.matcher.caseSensitive
            }
        }
        if matchers.isEmpty { matchers = [Matcher(path: .prefix("/"))] }
        if flags.matchers {
            for index in matchers.indices { matchers[index] = inherit(matchers[index], from: parent.matcher) }
        }
        for (index, matcher) in matchers.enumerated() {
            if let reason = refusal(of: matcher, under: parent) {
                return .failure(Refusal(field: ".matchers[\(index)]", reason: reason + "; route not served"))
            }
        }
        return .success(matchers)
    }

    /// The child matcher with the parent's header, query parameter and method conditions added.
    static func inherit(_ child: Matcher, from parent: Matcher) -> Matcher {
        var merged = child
        merged.headers = parent.headers + child.headers.filter { !parent.headers.contains($0) }
        merged.queryParameters = parent.queryParameters + child.queryParameters.filter { !parent.queryParameters.contains($0) }
        merged.methods = parent.methods + child.methods.filter { !parent.methods.contains($0) }
        return merged
    }

    /// Why `matcher` would serve requests its parent does not, if it would.
    static func refusal(of matcher: Matcher, under parent: Parent) -> String? {
        let path = pathText(matcher)
        guard path.hasPrefix(parent.prefix) else {
            return "'\(path)' does not start with the delegating route's prefix '\(parent.prefix)'"
        }
        guard matcher.caseSensitive == parent.matcher.caseSensitive else {
            return "caseSensitive \(describe(matcher.caseSensitive)) differs from the delegating route's "
                + describe(parent.matcher.caseSensitive)
        }
        let hint = " (repeat them or set inheritableMatchers: true)"
        let missingHeaders = parent.matcher.headers.filter { !matcher.headers.contains($0) }
        if !missingHeaders.isEmpty {
            return "does not require the delegating route's headers " + missingHeaders.map(\.name).joined(separator: ", ") + hint
        }
        let missingQuery = parent.matcher.queryParameters.filter { !matcher.queryParameters.contains($0) }
        if !missingQuery.isEmpty {
            return "does not require the delegating route's query parameters "
                + missingQuery.map(\.name).joined(separator: ", ") + hint
        }
        let missingMethods = parent.matcher.methods.filter { !matcher.methods.contains($0) }
        if !missingMethods.isEmpty {
            return "does not require the delegating route's methods " + missingMethods.joined(separator: ", ") + hint
        }
        return nil
    }

    /// A matcher's path as Gloo compares it with a prefix: a regex must start with the prefix
    /// literally, a CONNECT matcher starts with nothing. A matcher with no path counts as the
    /// `/` it serves (Gloo refuses it under every prefix, even `/`).
    static func pathText(_ matcher: Matcher) -> String {
        switch matcher.path {
        case .prefix(let value), .exact(let value), .regex(let value): value
        case nil: "/"
        case .connectMatcher: ""
        }
    }

    private static func describe(_ value: Bool?) -> String {
        value.map { "\($0)" } ?? "unset"
    }
}
