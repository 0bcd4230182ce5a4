import GlooAPI
import Testing

@testable import Translator

@Suite struct ReferenceCheckerTests {
    static let namespace = "gloo-system"

    static func metadata(_ name: String, labels: [String: String] = [:]) -> Metadata {
        Metadata(name: name, namespace: namespace, labels: labels)
    }

    static func toUpstream(_ name: String, prefix: String = "/") -> Route {
        Route(matchers: [Matcher(path: .prefix(prefix))],
              action: .routeAction(RouteAction(destination: .single(Destination(target: .upstream(ResourceRef(name: name, namespace: "")))))))
    }

    static func delegate(_ delegation: Delegation, prefix: String) -> Route {
        Route(matchers: [Matcher(path: .prefix(prefix))], action: .delegateAction(DelegateAction(delegation: delegation)))
    }

    static func service(_ name: String, routes: [Route], labels: [String: String] = [:]) -> VirtualService {
        VirtualService(metadata: metadata(name, labels: labels), virtualHost: VirtualHost(domains: ["*"], routes: routes))
    }

    static let petstore = Upstream(
        metadata: metadata("petstore"), upstreamType: .static(StaticUpstream(hosts: [StaticHost(addr: "1.1.1.1", port: 80)])))

    func check(_ build: (inout ResourceSet) -> Void) -> [Finding] {
        var resources = ResourceSet()
        resources.upstreams = [Self.petstore]
        build(&resources)
        return ReferenceChecker.check(ApiSnapshot(resources: resources))
    }

    @Test func validTreeHasNoFindings() {
        let findings = check {
            $0.virtualServices = [Self.service("default", routes: [Self.toUpstream("petstore")])]
            $0.gateways = [Gateway(metadata: Self.metadata("gw"), bindPort: 8080, gatewayType: .httpGateway(HttpGateway()))]
        }
        #expect(findings.isEmpty)
    }

    @Test func missingUpstreamNamesKeyAndField() throws {
        let findings = check { $0.virtualServices = [Self.service("default", routes: [Self.toUpstream("petstore"), Self.toUpstream("nope")])] }
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.severity == .error)
        #expect(finding.key == "gloo/gateway.solo.io/v1/VirtualService/gloo-system/default")
        #expect(finding.fieldPath == "virtualHost.routes[1].routeAction.single.upstream")
        #expect(finding.reason == "Upstream gloo-system/nope not found")
    }

    @Test func routeTableCycleIsReportedOncePerTable() {
        let findings = check {
            $0.virtualServices = [Self.service("default", routes: [Self.delegate(.ref(ResourceRef(name: "a", namespace: "")), prefix: "/a")])]
            $0.routeTables = [
                RouteTable(metadata: Self.metadata("a"), routes: [Self.delegate(.ref(ResourceRef(name: "b", namespace: "")), prefix: "/a")]),
                RouteTable(metadata: Self.metadata("b"), routes: [Self.delegate(.ref(ResourceRef(name: "a", namespace: "")), prefix: "/a")]),
            ]
        }
        let cycles = findings.filter { $0.reason.hasPrefix("delegation cycle") }
        #expect(cycles.map(\.key).sorted() == [
            "gloo/gateway.solo.io/v1/RouteTable/gloo-system/a", "gloo/gateway.solo.io/v1/RouteTable/gloo-system/b",
        ])
        #expect(cycles.first?.reason.contains("gloo-system/a -> gloo-system/b -> gloo-system/a") == true)
    }

    @Test func delegatedRoutesMustStayUnderTheParentPrefix() {
        let findings = check {
            $0.virtualServices = [Self.service("default", routes: [Self.delegate(.selector(RouteTableSelector(labels: ["team": "store"])), prefix: "/store")])]
            $0.routeTables = [RouteTable(
                metadata: Self.metadata("store", labels: ["team": "store"]),
                routes: [Self.toUpstream("petstore", prefix: "/store/orders"), Self.toUpstream("petstore", prefix: "/admin")])]
        }
        #expect(findings.count == 1)
        #expect(findings.first?.key == "gloo/gateway.solo.io/v1/RouteTable/gloo-system/store")
        #expect(findings.first?.fieldPath == "routes[1].matchers[0]")
    }

    @Test func selectorMatchingNothingWarns() {
        let findings = check {
            $0.virtualServices = [Self.service("default", routes: [Self.delegate(.selector(RouteTableSelector(labels: ["team": "x"])), prefix: "/")])]
        }
        #expect(findings.map(\.severity) == [.warning])
    }

    @Test func gatewaySelectingNothingAndMissingReferences() {
        let findings = check {
            $0.virtualServices = [Self.service("default", routes: [Self.toUpstream("petstore")], labels: ["app": "web"])]
            $0.gateways = [
                Gateway(metadata: Self.metadata("by-label"), bindPort: 8080, gatewayType: .httpGateway(HttpGateway(virtualServiceSelector: ["app": "api"]))),
                Gateway(metadata: Self.metadata("by-ref"), bindPort: 8081,
                        gatewayType: .httpGateway(HttpGateway(virtualServices: [ResourceRef(name: "gone", namespace: Self.namespace)]))),
                Gateway(metadata: Self.metadata("by-namespace"), bindPort: 8082,
                        gatewayType: .httpGateway(HttpGateway(virtualServiceNamespaces: [Self.namespace]))),
            ]
        }
        #expect(findings.contains { $0.key.hasSuffix("/by-label") && $0.severity == .warning })
        #expect(findings.contains { $0.key.hasSuffix("/by-ref") && $0.fieldPath == "httpGateway.virtualServices[0]" && $0.severity == .error })
        #expect(!findings.contains { $0.key.hasSuffix("/by-namespace") })
    }

    @Test func missingSecretAndUpstreamGroup() {
        let findings = check {
            var service = Self.service("tls", routes: [
                Route(matchers: [], action: .routeAction(RouteAction(destination: .upstreamGroup(ResourceRef(name: "g", namespace: ""))))),
            ])
            service.sslConfig = SslConfig(source: .secretRef(ResourceRef(name: "cert", namespace: "")))
            $0.virtualServices = [service]
        }
        #expect(findings.map(\.fieldPath) == ["sslConfig.secretRef", "virtualHost.routes[0].routeAction.upstreamGroup"])
    }

    /// Translation decides what to report itself by the subject, never by a finding's text.
    @Test func everyFindingSaysWhatItIsAbout() {
        var resources = ResourceSet()
        resources.upstreams = [Self.petstore]
        var tls = Self.service("tls", routes: [Self.toUpstream("nope")])
        tls.sslConfig = SslConfig(source: .secretRef(ResourceRef(name: "cert", namespace: "")))
        var hostless = Self.service("hostless", routes: [])
        hostless.virtualHost = nil
        resources.virtualServices = [tls, hostless]
        resources.routeTables = [
            RouteTable(metadata: Self.metadata("a"), routes: [Self.delegate(.ref(ResourceRef(name: "b", namespace: "")), prefix: "/a")]),
            RouteTable(metadata: Self.metadata("b"), routes: [Self.delegate(.ref(ResourceRef(name: "a", namespace: "")), prefix: "/a")]),
        ]
        resources.upstreamGroups = [UpstreamGroup(metadata: Self.metadata("g"), destinations: [
            WeightedDestination(destination: Destination(target: .upstream(ResourceRef(name: "gone", namespace: ""))), weight: 1),
        ])]
        resources.gateways = [
            Gateway(metadata: Self.metadata("typeless"), bindPort: 8080, gatewayType: nil),
            Gateway(metadata: Self.metadata("tcp"), bindPort: 8081, gatewayType: .tcpGateway(TcpGateway())),
        ]
        let subjects = Dictionary(grouping: ReferenceChecker.classified(ApiSnapshot(resources: resources)), by: \.subject)
            .mapValues { Set($0.map { "\($0.finding.key.split(separator: "/").last!) \($0.finding.fieldPath)" }) }
        #expect(subjects[.structure] == ["hostless virtualHost", "typeless "])
        #expect(subjects[.tls] == ["tls sslConfig.secretRef"])
        #expect(subjects[.routes]?.contains("tls virtualHost.routes[0].routeAction.single.upstream") == true)
        #expect(subjects[.delegationCycle] == ["a routes", "b routes"])
        #expect(subjects[.reference] == ["g destinations[0].destination.upstream"])
        #expect(subjects[.tcpHosts] == ["tcp tcpGateway.tcpHosts"])
    }
}
