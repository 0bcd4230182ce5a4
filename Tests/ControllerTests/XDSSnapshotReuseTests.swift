import GlooAPI
import Testing
import Translator
import XDS

@testable import Controller

/// A snapshot built from the previous one (reusing unchanged resources and tables) must equal
/// one built from scratch, whatever changed.
@Suite struct XDSSnapshotReuseTests {
    static func upstream(_ name: String, port: UInt32) -> Upstream {
        Upstream(metadata: Metadata(name: name, namespace: "gloo-system"),
                 upstreamType: .static(StaticUpstream(hosts: [StaticHost(addr: "10.0.0.1", port: port)])))
    }

    static func service(_ name: String, upstream: String, prefix: String) -> VirtualService {
        VirtualService(metadata: Metadata(name: name, namespace: "gloo-system"), virtualHost: VirtualHost(
            domains: ["\(name).example.com"],
            routes: [Route(matchers: [Matcher(path: .prefix(prefix))], action: .routeAction(RouteAction(
                destination: .single(Destination(target: .upstream(ResourceRef(name: upstream, namespace: ""))))))) ]))
    }

    @Test func reusedSnapshotsEqualFreshOnes() throws {
        var resources = ResourceSet()
        resources.upstreams = [Self.upstream("a", port: 80), Self.upstream("b", port: 81),
                               Upstream(metadata: Metadata(name: "c", namespace: "gloo-system"),
                                        upstreamType: .consul(ConsulUpstream(serviceName: "c")))]
        let endpoint = { (address: String) in
            Endpoint(metadata: Metadata(name: "c-1", namespace: "gloo-system"),
                     upstreams: [ResourceRef(name: "c", namespace: "gloo-system")], address: address, port: 80)
        }
        resources.endpoints = [endpoint("10.0.0.7")]
        resources.virtualServices = [Self.service("one", upstream: "a", prefix: "/"), Self.service("two", upstream: "b", prefix: "/")]
        resources.gateways = [Gateway(metadata: Metadata(name: "gw", namespace: "gloo-system"), bindPort: 8080,
                                      gatewayType: .httpGateway(HttpGateway()))]
        let cache = TranslationCache()
        let translator = Translator()
        var previous = try translator.translate(ApiSnapshot(resources: resources), cache: cache).proxies[0].envoy.xdsSnapshot()
        // Also built with the translator's account: tables kept or patched by position.
        var previousBuilt = previous
        let edits: [(String, (inout ResourceSet) -> Void)] = [
            ("nothing", { _ in }),
            ("an endpoint's address (one load assignment swapped into the previous table)", { $0.endpoints = [endpoint("10.0.0.8")] }),
            ("a route", { $0.virtualServices[0] = Self.service("one", upstream: "a", prefix: "/v2") }),
            ("an upstream port", { $0.upstreams[1] = Self.upstream("b", port: 82) }),
            ("another route", { $0.virtualServices[1] = Self.service("two", upstream: "a", prefix: "/v3") }),
            ("a new VirtualService", { $0.virtualServices.append(Self.service("three", upstream: "a", prefix: "/")) }),
            ("a removed VirtualService", { $0.virtualServices.removeFirst() }),
            ("a removed upstream", { $0.upstreams.removeFirst() }),
        ]
        for (what, edit) in edits {
            edit(&resources)
            let proxy = translator.translate(ApiSnapshot(resources: resources), cache: cache).proxies[0]
            let envoy = proxy.envoy
            let reused = try envoy.xdsSnapshot(reusing: previous)
            let fresh = try envoy.xdsSnapshot()
            #expect(reused == fresh, "after \(what)")
            #expect(reused.versions == fresh.versions, "after \(what)")
            #expect(reused.resources == fresh.resources, "after \(what)")
            previous = reused
            #expect(proxy.reuse != .none, "after \(what): the translator accounts for its reuse")
            let patched = try envoy.xdsSnapshot(reusing: previousBuilt, account: proxy.reuse)
            #expect(patched == fresh, "after \(what), built with the account")
            #expect(patched.versions == fresh.versions && patched.resources == fresh.resources, "after \(what)")
            previousBuilt = patched
        }
    }
}
