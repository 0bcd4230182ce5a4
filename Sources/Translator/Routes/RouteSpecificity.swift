import GlooAPI

/// Gloo's `SortRoutesByPath`, used for the routes of RouteTables that share a weight: a route
/// sorts by its most specific matcher; more methods first, then exact before regex before
/// prefix, then the greater path string (so `/a/b` before `/a`).
enum RouteSpecificity {
    /// Whether `first` is more specific than `second`.
    static func precedes(_ first: Matcher, _ second: Matcher) -> Bool {
        if first.methods.count != second.methods.count { return first.methods.count > second.methods.count }
        let ranks = (rank(first), rank(second))
        if ranks.0 != ranks.1 { return ranks.0 < ranks.1 }
        return path(first) > path(second)
    }

    /// The most specific of a route's matchers (a route without matchers matches `/`).
    static func mostSpecific(_ matchers: [Matcher]) -> Matcher {
        matchers.dropFirst().reduce(matchers.first ?? Matcher(path: .prefix("/"))) { precedes($1, $0) ? $1 : $0 }
    }

    /// `groups` (each the matchers of one route) in Gloo's order; equal groups keep their order.
    static func sorted<Group>(_ groups: [Group], matchers: (Group) -> [Matcher]) -> [Group] {
        let keyed = groups.enumerated().map { (offset: $0.offset, key: mostSpecific(matchers($0.element)), group: $0.element) }
        return keyed.sorted { lhs, rhs in
            if precedes(lhs.key, rhs.key) { return true }
            if precedes(rhs.key, lhs.key) { return false }
            return lhs.offset < rhs.offset
        }.map(\.group)
    }

    private static func rank(_ matcher: Matcher) -> Int {
        switch matcher.path {
        case nil, .connectMatcher: 0
        case .exact: 1
        case .regex: 2
        case .prefix: 3
        }
    }

    private static func path(_ matcher: Matcher) -> String {
        switch matcher.path {
        case .prefix(let value), .exact(let value), .regex(let value): value
        case nil, .connectMatcher: ""
        }
    }
}
