import EnvoyAPI
import GlooAPI
import Testing

@testable import Translator

/// Delegation as Gloo does it: a delegated route never serves a request its delegating route
/// would not, and tables of one weight do not shadow each other.
@Suite struct DelegationTests {
    static func routes() async throws -> [Envoy_Config_Route_V3_Route] {
        let result = Translator().translate(try await GoldenTests.snapshot("delegation-conditions"))
        let envoy = try #require(result.proxies.first).envoy
        return try #require(envoy.routeConfigurations.first?.virtualHosts.first).routes
    }

    static func path(_ route: Envoy_Config_Route_V3_Route) -> String {
        switch route.match.pathSpecifier {
        case .prefix(let value)?, .path(let value)?: value
        case .safeRegex(let regex)?: regex.regex
        default: ""
        }
    }

    @Test func aChildWithoutTheParentsConditionsIsNotServed() async throws {
        let routes = try await Self.routes()
        let admin = routes.filter { Self.path($0).hasPrefix("/admin") }
        #expect(admin.map(Self.path) == ["/admin/inherited", "/admin/explicit", "/admin/[0-9]+"])
        for route in admin {
            let headers = Set(route.match.headers.map(\.name))
            #expect(headers.isSuperset(of: ["x-admin", ":method"]), "\(Self.path(route)) keeps the parent's header and method")
            #expect(route.match.queryParameters.map(\.name) == ["tenant"])
        }
        #expect(!routes.contains { Self.path($0) == "/.*" }, "a regex that escapes the prefix is not served")
    }

    @Test func inheritablePathMatchersServeTheChildUnderTheParentsPath() async throws {
        let inherited = try await Self.routes().filter { Self.path($0) == "/inherit" }
        #expect(inherited.count == 2)
        #expect(inherited.allSatisfy { $0.match.hasCaseSensitive && !$0.match.caseSensitive.value })
        #expect(inherited.map { $0.match.headers.map(\.name) } == [["x-team", "x-shade"], ["x-team"]])
    }

    @Test func tablesOfOneWeightAreSortedByPathAndHeavierTablesFollow() async throws {
        let api = try await Self.routes().filter { Self.path($0).hasPrefix("/api") }.map(Self.path)
        // The last one is the expression selector's (below), after the /api delegation.
        #expect(api == ["/api/v2/admin", "/api/status", "/api/v2", "/api", "/api/v2/zzz", "/api/v2/zzz"])
    }

    /// Set-based selectors with Kubernetes' semantics: In, GreaterThan on an integer label,
    /// DoesNotExist select api-fallback (tier 2) only; labels with expressions select nothing.
    @Test func expressionSelectorsPickTablesAsKubernetesRequirementsDo() async throws {
        let routes = try await Self.routes()
        let zzz = routes.filter { Self.path($0) == "/api/v2/zzz" }
        #expect(zzz.count == 2 && zzz.allSatisfy { $0.directResponse.status == 410 })
        let both = try #require(routes.first { Self.path($0) == "/both" })
        #expect(both.directResponse.status == 500)

        let tier = LabelExpression(key: "tier", operator: .lessThan, values: ["3"])
        #expect(tier.matches(["tier": "2"]) && !tier.matches(["tier": "x"]) && !tier.matches([:]))
        #expect(LabelExpression(key: "team", operator: .notIn, values: ["a"]).matches([:]))
        #expect(LabelExpression(key: "team", operator: .equals, values: ["a", "b"]).problem != nil)
        #expect(LabelExpression(key: "team", operator: .exists, values: ["a"]).problem != nil)
    }

    @Test func aDelegatingRouteHasAtMostOneMatcher() async throws {
        let routes = try await Self.routes()
        let two = try #require(routes.first { Self.path($0) == "/two" })
        #expect(two.directResponse.status == 500)
    }

    @Test func specificityIsGloosOrder() {
        let order: [Matcher] = [
            Matcher(path: .prefix("/a"), methods: ["GET", "POST"]), Matcher(path: .exact("/a")),
            Matcher(path: .regex("/b.*")), Matcher(path: .regex("/a.*")), Matcher(path: .prefix("/a/b")), Matcher(path: .prefix("/a")),
        ]
        #expect(RouteSpecificity.sorted(order.reversed()) { [$0] } == order)
    }
}
