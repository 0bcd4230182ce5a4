import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf
import Testing

@testable import Translator

/// Gloo's faults, buffer, CSRF, gzip and local rate limit options: the checks Gloo makes name
/// the field, and a route's own rate limit carries the settings of the Gateway serving it.
@Suite struct HttpFilterOptionsTests {
    static let upstream = GlooFidelityTests.upstream
    typealias LocalRateLimit = Envoy_Extensions_Filters_Http_LocalRatelimit_V3_LocalRateLimit

    static func errors(_ result: TranslationResult, _ key: String) -> [String] {
        result.reports.problems.filter { $0.key == key }.flatMap(\.errors)
    }

    @Test func gatewayOptionsGlooRefusesAreErrorsNamingTheField() async throws {
        let key = "gloo/gateway.solo.io/v1/Gateway/gloo-system/gw"
        for (options, field) in [
            ("{httpLocalRatelimit: {defaultLimit: {maxTokens: 5, fillInterval: 10ms}}}", "httpGateway.options.httpLocalRatelimit.defaultLimit.fillInterval"),
            ("{httpLocalRatelimit: {defaultLimit: {maxTokens: 0}}}", "httpGateway.options.httpLocalRatelimit.defaultLimit.maxTokens"),
            ("{networkLocalRatelimit: {maxTokens: 1, tokensPerFill: 0}}", "httpGateway.options.networkLocalRatelimit.tokensPerFill"),
            ("{gzip: {memoryLevel: 12}}", "httpGateway.options.gzip.memoryLevel"),
            ("{gzip: {contentLength: 10}}", "httpGateway.options.gzip.contentLength"),
            ("{buffer: {}}", "httpGateway.options.buffer.maxRequestBytes"),
            ("{csrf: {additionalOrigins: [{ignoreCase: true}]}}", "httpGateway.options.csrf.additionalOrigins[0]"),
            ("{httpConnectionManagerSettings: {tracing: {zipkinConfig: {collectorEndpoint: /s}}}}",
             "httpGateway.options.httpConnectionManagerSettings.tracing.zipkinConfig"),
            ("{httpConnectionManagerSettings: {tracing: {openTelemetryConfig: {serviceName: s}}}}",
             "httpGateway.options.httpConnectionManagerSettings.tracing.openTelemetryConfig"),
        ] {
            let result = try await GlooFidelityTests.translate([
                key: "bindPort: 8080\nhttpGateway: {options: \(options)}\n", Self.upstream.0: Self.upstream.1,
                "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": "virtualHost: {domains: ['*'], routes: [{routeAction: {single: {upstream: {name: a}}}}]}\n",
            ])
            let errors = Self.errors(result, key)
            #expect(errors.contains { $0.hasPrefix(field + ":") }, "\(options): \(errors)")
            #expect(result.proxies.first?.envoy.listeners.isEmpty ?? true, "\(options): the Gateway is not served")
        }
    }

    @Test func aRouteLimitCarriesTheSettingsOfEachGatewayServingIt() async throws {
        var resources = try await GlooFidelityTests.translateResources([
            "gloo/gateway.solo.io/v1/Gateway/gloo-system/headers": "bindPort: 8080\nhttpGateway: {options: {httpLocalRatelimit: {enableXRatelimitHeaders: true, localRateLimitPerDownstreamConnection: true}}}\n",
            "gloo/gateway.solo.io/v1/Gateway/gloo-system/plain": "bindPort: 8081\nhttpGateway: {}\n",
            Self.upstream.0: Self.upstream.1,
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": """
                virtualHost:
                  domains: ['*']
                  routes: [{routeAction: {single: {upstream: {name: a}}}, options: {ratelimit: {localRatelimit: {maxTokens: 3}}}}]
                """,
        ])
        let cache = TranslationCache()
        for round in 0..<2 {
            // The second round is served from the cache: each Gateway still gets its own form.
            if round == 1 { resources.upstreams[0].metadata.labels["touched"] = "yes" }
            let envoy = try #require(Translator().translate(ApiSnapshot(resources: resources, takenAt: 1), cache: cache).proxies.first).envoy
            func limit(_ port: Int) throws -> LocalRateLimit {
                let configuration = try #require(envoy.routeConfigurations.first { $0.name.contains("-\(port)-") })
                let route = try #require(configuration.virtualHosts.first?.routes.first)
                return try LocalRateLimit(unpackingAny: try #require(route.typedPerFilterConfig[HttpFilterConfigs.localRateLimitFilter]))
            }
            let (withHeaders, plain) = (try limit(8080), try limit(8081))
            #expect(withHeaders.tokenBucket.maxTokens == 3 && plain.tokenBucket.maxTokens == 3)
            #expect(withHeaders.enableXRatelimitHeaders == .draftVersion03 && withHeaders.localRateLimitPerDownstreamConnection)
            #expect(plain.enableXRatelimitHeaders == .off && !plain.localRateLimitPerDownstreamConnection)
            #expect(withHeaders.filterEnforced.defaultValue.numerator == 100)
        }
    }

    @Test func aFaultOnADelegatedRouteIsInheritedAndAnInvalidOneRejectsItsVirtualService() async throws {
        let result = try await GlooFidelityTests.translate([
            GlooFidelityTests.gateway.0: GlooFidelityTests.gateway.1, Self.upstream.0: Self.upstream.1,
            "gloo/gateway.solo.io/v1/RouteTable/gloo-system/rt": "routes: [{matchers: [{prefix: /t/a}], routeAction: {single: {upstream: {name: a}}}}]\n",
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": """
                virtualHost:
                  domains: [good.example.com]
                  routes: [{matchers: [{prefix: /t}], delegateAction: {ref: {name: rt}}, options: {faults: {delay: {percentage: 5, fixedDelay: 2s}}}}]
                """,
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/bad": """
                virtualHost:
                  domains: [bad.example.com]
                  routes: [{routeAction: {single: {upstream: {name: a}}}, options: {faults: {delay: {percentage: 5, fixedDelay: 0s}}}}]
                """,
        ])
        let envoy = try #require(result.proxies.first).envoy
        // Scoped mode (exact domains): found by route name, not by domain.
        let routes = envoy.routeConfigurations.flatMap(\.virtualHosts).flatMap(\.routes)
        let route = try #require(routes.first { $0.name == "gloo-system_vs-route-0" })
        let fault = try Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault(
            unpackingAny: try #require(route.typedPerFilterConfig[HttpFilterConfigs.faultFilter]))
        #expect(fault.delay.fixedDelay.seconds == 2 && fault.delay.percentage.numerator == 50_000)
        #expect(!routes.contains { $0.name.hasPrefix("gloo-system_bad") })
        #expect(Self.errors(result, "gloo/gateway.solo.io/v1/VirtualService/gloo-system/bad")
            .contains { $0.hasPrefix("virtualHost.routes[0].options.faults.delay.fixedDelay:") })
    }
}

extension HttpFilterOptionsTests {
    /// Gloo sends Zipkin spans as JSON unless HTTP_PROTO is asked for.
    @Test func zipkinWithoutAnEndpointVersionSendsJson() async throws {
        let result = try await GlooFidelityTests.translate([
            "gloo/gateway.solo.io/v1/Gateway/gloo-system/gw": """
                bindPort: 8080
                httpGateway: {options: {httpConnectionManagerSettings: {tracing: {zipkinConfig: {clusterName: zipkin, collectorEndpoint: /api/v2/spans}}}}}
                """,
            Self.upstream.0: Self.upstream.1,
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": "virtualHost: {domains: ['*'], routes: [{routeAction: {single: {upstream: {name: a}}}}]}\n",
        ])
        let filter = try #require(result.proxies.first?.envoy.listeners.first?.filterChains.first?.filters.first)
        let manager = try GlooFidelityTests.Manager(unpackingAny: filter.typedConfig)
        let zipkin = try Envoy_Config_Trace_V3_ZipkinConfig(unpackingAny: manager.tracing.provider.typedConfig)
        #expect(zipkin.collectorEndpointVersion == .httpJson && zipkin.collectorCluster == "zipkin")
    }
}
