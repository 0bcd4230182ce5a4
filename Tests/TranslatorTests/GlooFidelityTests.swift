import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf
import Testing

@testable import Translator

/// Where gloo-hashi must do what Gloo does, above all where getting it wrong weakens security.
@Suite struct GlooFidelityTests {
    typealias Manager = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager

    static func upstreamContext(_ cluster: Envoy_Config_Cluster_V3_Cluster) throws
        -> Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext
    {
        try Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext(unpackingAny: cluster.transportSocket.typedConfig)
    }

    static func sanNames(_ context: Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext) -> [String] {
        context.commonTlsContext.combinedValidationContext.defaultValidationContext.matchTypedSubjectAltNames.map(\.matcher.exact)
    }

    /// Three Upstreams on one Secret: two with different SANs, one without. Each keeps its own
    /// check; the CA is one SDS secret that carries no SAN list of anyone's.
    @Test func upstreamsSharingASecretKeepTheirOwnSubjectAltNames() async throws {
        let result = Translator().translate(try await GoldenTests.snapshot("tls"))
        let envoy = try #require(result.proxies.first).envoy
        func cluster(_ name: String) throws -> Envoy_Config_Cluster_V3_Cluster {
            try #require(envoy.clusters.first { $0.name == EnvoyNames.cluster(ResourceRef(name: name, namespace: "gloo-system")) })
        }
        let (a, c, d) = (try Self.upstreamContext(try cluster("a")), try Self.upstreamContext(try cluster("c")),
                         try Self.upstreamContext(try cluster("d")))
        #expect(Self.sanNames(a) == ["a.internal"])
        #expect(Self.sanNames(c) == ["c.internal"])
        let caSecret = EnvoyNames.validationSecret(ResourceRef(name: "ca-only", namespace: "gloo-system"))
        #expect(a.commonTlsContext.combinedValidationContext.validationContextSdsSecretConfig.name == caSecret)
        #expect(c.commonTlsContext.combinedValidationContext.validationContextSdsSecretConfig.name == caSecret)
        #expect(d.commonTlsContext.validationContextSdsSecretConfig.name == caSecret, "no SANs: the CA alone, not combined")
        let secret = try #require(envoy.secrets.first { $0.name == caSecret })
        #expect(secret.validationContext.matchTypedSubjectAltNames.isEmpty && !secret.validationContext.trustedCa.inlineString.isEmpty)
    }

    static func manager(_ gateway: String, settings: String = "") async throws -> Manager {
        var resources = try await GoldenTests.snapshot("basic").resources
        let options = settings.isEmpty ? "{}" : "{options: {httpConnectionManagerSettings: \(settings)}}"
        let key = try ResourceKey.parse("gloo/gateway.solo.io/v1/Gateway/gloo-system/\(gateway)").get()
        let decoded = ResourceCodec.decode(Gateway.self, from: Array("bindPort: 8080\nhttpGateway: \(options)\n".utf8), key: key)
        resources.gateways = [try #require(decoded.resource, "\(decoded.problems)")]
        let envoy = try #require(Translator().translate(ApiSnapshot(resources: resources, takenAt: 1)).proxies.first).envoy
        let filter = try #require(envoy.listeners.first?.filterChains.first?.filters.first)
        return try Manager(unpackingAny: filter.typedConfig)
    }

    /// Gloo normalizes paths (RFC 3986) and allows WebSocket upgrades unless told otherwise.
    @Test func connectionManagersGetGloosDefaultsAndTheSettingsOverrideThem() async throws {
        let plain = try await Self.manager("plain")
        #expect(plain.normalizePath.value == true && plain.hasNormalizePath)
        #expect(plain.upgradeConfigs.map(\.upgradeType) == ["websocket"] && !plain.upgradeConfigs[0].hasEnabled)
        #expect(plain.statPrefix == "http" && plain.codecType == .auto)

        let overridden = try await Self.manager("overridden", settings: "{normalizePath: false, upgrades: [{websocket: {enabled: false}}]}")
        #expect(overridden.hasNormalizePath && overridden.normalizePath.value == false)
        #expect(overridden.upgradeConfigs.map(\.upgradeType) == ["websocket"] && overridden.upgradeConfigs[0].enabled.value == false)

        let connect = try await Self.manager("connect", settings: "{upgrades: [{connect: {enabled: true}}]}")
        #expect(connect.upgradeConfigs.map(\.upgradeType) == ["CONNECT", "websocket"], "WebSocket is added beside other upgrades")
    }

    typealias Downstream = Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext

    static func tlsChains() async throws -> [(names: [String], context: Downstream)] {
        let envoy = try #require(Translator().translate(try await GoldenTests.snapshot("tls")).proxies.first).envoy
        let listener = try #require(envoy.listeners.first { $0.name.hasSuffix("8443") })
        return try listener.filterChains.map { ($0.filterChainMatch.serverNames, try Downstream(unpackingAny: $0.transportSocket.typedConfig)) }
    }

    /// oneWayTls: upstream, no client certificate (the server is still verified); downstream,
    /// no validation context, so clients are not asked for a certificate at all.
    @Test func oneWayTlsDropsTheClientCertificateUpstreamAndTheClientCheckDownstream() async throws {
        let envoy = try #require(Translator().translate(try await GoldenTests.snapshot("tls")).proxies.first).envoy
        let upstream = try #require(envoy.clusters.first { $0.name == EnvoyNames.cluster(ResourceRef(name: "e", namespace: "gloo-system")) })
        let context = try Self.upstreamContext(upstream)
        #expect(context.commonTlsContext.tlsCertificateSdsSecretConfigs.isEmpty && context.commonTlsContext.tlsCertificates.isEmpty)
        #expect(context.commonTlsContext.validationContextSdsSecretConfig.name
            == EnvoyNames.validationSecret(ResourceRef(name: "other-tls", namespace: "gloo-system")))

        let chains = try await Self.tlsChains()
        let oneWay = try #require(chains.first { $0.names == ["oneway.example.com"] }).context
        #expect(oneWay.commonTlsContext.validationContextType == nil && !oneWay.hasRequireClientCertificate)
        #expect(!oneWay.commonTlsContext.tlsCertificateSdsSecretConfigs.isEmpty)
        let mutual = try #require(chains.first { $0.names == ["other.example.com"] }).context
        #expect(mutual.commonTlsContext.validationContextType != nil && mutual.requireClientCertificate.value)
        #expect(oneWay.ocspStaplePolicy == .strictStapling)
        #expect(oneWay.commonTlsContext.alpnProtocols.isEmpty, "[allow_empty] means no ALPN, not a protocol named allow_empty")
    }

    /// Without sniDomains a chain matches every name (clients without SNI too); sslConfigs that
    /// differ only in sniDomains share one chain that matches all their names.
    @Test func sniDomainsAloneDecideTheChainsNames() async throws {
        let names = try await Self.tlsChains().map(\.names)
        #expect(names.contains([]), "fallback has no sniDomains: the default chain")
        #expect(names.contains(["secure.example.com", "shop.example.com"]))
        #expect(!names.contains(["broken.example.com"]), "a rejected sslConfig has no chain")
    }

    static func translate(_ files: [String: String]) async throws -> TranslationResult {
        let listing = decoded(files)
        return Translator().translate(ApiSnapshot(resources: listing.resources, findings: listing.findings, takenAt: 1))
    }

    /// The resources of a KV tree given as `[key: yaml]`.
    static func translateResources(_ files: [String: String]) async throws -> ResourceSet { decoded(files).resources }

    private static func decoded(_ files: [String: String]) -> ResourceListing {
        var entries: [KVEntry] = []
        for (key, yaml) in files.sorted(by: { $0.key < $1.key }) {
            entries.append(KVEntry(key: key, value: Array(yaml.utf8), version: 1))
        }
        var decoder = KVTreeDecoder()
        return decoder.decode(KVListing(entries: entries, index: 1))
    }

    static let gateway = ("gloo/gateway.solo.io/v1/Gateway/gloo-system/gw", "bindPort: 8080\nhttpGateway: {}\n")
    static let upstream = ("gloo/gloo.solo.io/v1/Upstream/gloo-system/a", "static: {hosts: [{addr: 10.0.0.1, port: 80}]}\n")

    /// An empty retryOn retries on nothing but retriableStatusCodes (Gloo passes it as written).
    @Test func anEmptyRetryOnStaysEmpty() async throws {
        let result = try await Self.translate([
            Self.gateway.0: Self.gateway.1, Self.upstream.0: Self.upstream.1,
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": """
                virtualHost:
                  domains: ['*']
                  routes: [{routeAction: {single: {upstream: {name: a}}}, options: {retries: {numRetries: 2, retriableStatusCodes: [503]}}}]
                """,
        ])
        let route = try #require(result.proxies.first?.envoy.routeConfigurations.first?.virtualHosts.first?.routes.first)
        #expect(route.route.retryPolicy.retryOn == "" && route.route.retryPolicy.retriableStatusCodes == [503])
        #expect(route.route.retryPolicy.numRetries.value == 2)
    }

    /// Without virtualHost a VirtualService serves nothing and is warned about, not rejected, and
    /// does not take the wildcard domain from another VirtualService.
    @Test func aVirtualServiceWithoutVirtualHostWarnsAndServesNothing() async throws {
        let result = try await Self.translate([
            Self.gateway.0: Self.gateway.1, Self.upstream.0: Self.upstream.1,
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/empty": "displayName: nothing yet\n",
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": """
                virtualHost: {domains: ['*'], routes: [{routeAction: {single: {upstream: {name: a}}}}]}
                """,
        ])
        let report = try #require(result.reports.problems.first { $0.key.hasSuffix("VirtualService/gloo-system/empty") })
        #expect(report.state == .warning && report.warnings.contains { $0.contains("no virtualHost") })
        let hosts = try #require(result.proxies.first?.envoy.routeConfigurations.first).virtualHosts
        #expect(hosts.map(\.domains) == [["*"]])
    }

    /// Scoped mode lowercases a host with capitals before the scope is chosen (as virtual hosts
    /// match names in any case); single mode needs no filter.
    @Test func scopedModeMatchesHostsInAnyCase() async throws {
        let envoy = try #require(Translator().translate(try await GoldenTests.snapshot("scoped")).proxies.first).envoy
        let manager = try Manager(unpackingAny: try #require(envoy.listeners.first?.filterChains.first?.filters.first).typedConfig)
        #expect(manager.scopedRoutes.name.isEmpty == false)
        let lua = try #require(manager.httpFilters.first)
        #expect(lua.name == HttpListenerBuilder.luaFilter)
        let code = try Envoy_Extensions_Filters_Http_Lua_V3_Lua(unpackingAny: lua.typedConfig).defaultSourceCode.inlineString
        #expect(code.contains("string.lower") && code.contains(":authority"))
        let single = try await Self.manager("plain")
        #expect(!single.httpFilters.contains { $0.name == HttpListenerBuilder.luaFilter })
    }

    /// Paths a normalized request can never carry, or rewrites that would undo the normalization,
    /// are refused per route as Gloo's ValidateRoutePath does (the route answers 500, the rest serve).
    @Test func routePathsAreCheckedAsGlooChecksThem() async throws {
        let result = try await Self.translate([
            Self.gateway.0: Self.gateway.1, Self.upstream.0: Self.upstream.1,
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": """
                virtualHost:
                  domains: ['*']
                  routes:
                  - {matchers: [{prefix: /a//b}], routeAction: {single: {upstream: {name: a}}}}
                  - {matchers: [{prefix: /x}], routeAction: {single: {upstream: {name: a}}}, options: {prefixRewrite: /y/../admin}}
                  - {matchers: [{prefix: /r}], redirectAction: {pathRedirect: '/p#top'}}
                  - {matchers: [{exact: '/ok/%7Euser'}], routeAction: {single: {upstream: {name: a}}}}
                """,
        ])
        let routes = try #require(result.proxies.first?.envoy.routeConfigurations.first?.virtualHosts.first).routes
        #expect(routes.map { $0.directResponse.status } == [500, 500, 500, 0])
        let warnings = try #require(result.reports.problems.first { $0.key.hasSuffix("VirtualService/gloo-system/vs") }).warnings
        #expect(warnings.contains { $0.contains("'/a//b' contains '//'") })
        #expect(warnings.contains { $0.contains("prefixRewrite: '/y/../admin' contains '/../'") })
        #expect(warnings.contains { $0.contains("pathRedirect: '/p#top' has the character '#'") })
    }

    /// A redirect or direct response inherits none of a parent's forwarding options, and the
    /// report names all of them: one list serves both.
    @Test func forwardingOnlyOptionsAreOneList() throws {
        let key = try ResourceKey.parse("gloo/gateway.solo.io/v1/RouteTable/gloo-system/all").get()
        let yaml = """
            routes:
            - options:
                prefixRewrite: /x
                timeout: 1s
                retries: {retryOn: 5xx}
                hostRewrite: h
                regexRewrite: {pattern: {regex: a}, substitution: b}
                idleTimeout: 1s
                maxStreamDuration: {maxStreamDuration: 1s}
                upgrades: [{websocket: {enabled: true}}]
                shadowing: {upstream: {name: a}, percentage: 1}
                lbHash: {hashPolicies: [{sourceIp: true}]}
                appendXForwardedHost: true
                headerManipulation: {requestHeadersToRemove: [x-a]}
              directResponseAction: {status: 200}
            """
        let decoded = ResourceCodec.decode(RouteTable.self, from: Array(yaml.utf8), key: key)
        let options = try #require(decoded.resource?.routes.first?.options, "\(decoded.problems)")
        #expect(options.forwardingOnlyOptionsSet.count == 11)
        #expect(options.withoutForwarding.forwardingOnlyOptionsSet.isEmpty)
        #expect(options.withoutForwarding.headerManipulation == options.headerManipulation)
    }

    /// Gloo's connection-manager headersWithUnderscoresAction (a request-smuggling guard) is served.
    @Test func underscoreHeadersAreRejectedOrDroppedWhenAsked() async throws {
        let reject = try await Self.manager("reject", settings: "{headersWithUnderscoresAction: REJECT_CLIENT_REQUEST}")
        #expect(reject.commonHTTPProtocolOptions.headersWithUnderscoresAction == .rejectRequest)
        let drop = try await Self.manager("drop", settings: "{headersWithUnderscoresAction: DROP_HEADER}")
        #expect(drop.commonHTTPProtocolOptions.headersWithUnderscoresAction == .dropHeader)
        #expect(!(try await Self.manager("plain")).hasCommonHTTPProtocolOptions)
    }

    /// An option that cannot be translated rejects its VirtualService (as in Gloo), and the report
    /// names the route's field, not just the VirtualService.
    @Test func anUntranslatableOptionIsReportedAtItsField() async throws {
        let result = try await Self.translate([
            Self.gateway.0: Self.gateway.1, Self.upstream.0: Self.upstream.1,
            "gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs": """
                virtualHost:
                  domains: ['*']
                  routes: [{routeAction: {single: {upstream: {name: a}}}, options: {shadowing: {upstream: {name: a}, percentage: 200}}}]
                """,
        ])
        let report = try #require(result.reports.problems.first { $0.key.hasSuffix("VirtualService/gloo-system/vs") })
        #expect(report.state == .rejected)
        #expect(report.errors == ["virtualHost.routes[0].options.shadowing.percentage: cannot be translated: 200.0 is not between 0 and 100"])
    }
}
