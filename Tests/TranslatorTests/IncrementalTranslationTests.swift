import GlooAPI
import Synchronization
import Testing

@testable import Translator

/// Incremental translation (with a cache) must give exactly what a full translation gives.
@Suite struct IncrementalTranslationTests {
    /// A small deterministic random source (tests must be repeatable).
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 1 ^ state
        }
    }

    static let namespace = "gloo-system"
    static let versionCounter = Mutex(0)

    static func upstream(_ index: Int, port: UInt32 = 8080) -> Upstream {
        if index % 3 == 0 {
            return Upstream(metadata: Metadata(name: "svc-\(index)", namespace: namespace),
                            upstreamType: .consul(ConsulUpstream(serviceName: "svc-\(index)")))
        }
        return Upstream(metadata: Metadata(name: "svc-\(index)", namespace: namespace),
                        upstreamType: .static(StaticUpstream(hosts: [StaticHost(addr: "10.0.0.\(index % 250)", port: port)])))
    }

    static func service(_ index: Int, targets: [Int], prefix: String) -> VirtualService {
        let routes = targets.enumerated().map { offset, target in
            Route(matchers: [Matcher(path: .prefix("\(prefix)/\(offset)"))],
                  action: .routeAction(RouteAction(destination: .single(Destination(target: .upstream(ResourceRef(name: "svc-\(target)", namespace: ""))))))) 
        } + [Route(matchers: [Matcher(path: .prefix("/store"))], action: .delegateAction(DelegateAction(delegation: .ref(ResourceRef(name: "store", namespace: "")))))]
        // Like a store, every write gets a new resource version (the cache relies on them).
        versionCounter.withLock { $0 += 1 }
        return VirtualService(metadata: Metadata(name: "vs-\(index)", namespace: namespace,
                                                 resourceVersion: "\(versionCounter.withLock { $0 })"),
                              virtualHost: VirtualHost(domains: ["host-\(index).example.com"], routes: routes))
    }

    static func endpoint(_ upstream: Int, _ index: Int) -> Endpoint {
        Endpoint(metadata: Metadata(name: "ep-\(upstream)-\(index)", namespace: namespace),
                 upstreams: [ResourceRef(name: "svc-\(upstream)", namespace: namespace)],
                 address: "10.1.\(upstream % 250).\(index)", port: 9000, datacenter: "dc\(index % 2)")
    }

    /// The world the edit sequences start from: Upstreams, VirtualServices delegating to a
    /// RouteTable, a scoped and a single-mode gateway, and discovered endpoints.
    static func initialWorld() -> (resources: ResourceSet, endpoints: [Endpoint]) {
        var resources = ResourceSet()
        resources.upstreams = (0..<30).map { Self.upstream($0) }
        resources.virtualServices = (0..<20).map { Self.service($0, targets: [$0 % 30, ($0 * 7) % 30], prefix: "/api") }
        resources.routeTables = [RouteTable(metadata: Metadata(name: "store", namespace: Self.namespace), routes: [
            Route(matchers: [Matcher(path: .prefix("/store/items"))],
                  action: .routeAction(RouteAction(destination: .single(Destination(target: .upstream(ResourceRef(name: "svc-1", namespace: ""))))))),
        ])]
        // Both route modes: exact domains make the first gateway scoped; the second forces single.
        resources.gateways = [
            Gateway(metadata: Metadata(name: "gw", namespace: Self.namespace), bindPort: 8080, gatewayType: .httpGateway(HttpGateway())),
            Gateway(metadata: Metadata(name: "gw-single", namespace: Self.namespace, annotations: ["gloo-hashi.io/route-mode": "single"]),
                    bindPort: 8081, gatewayType: .httpGateway(HttpGateway())),
        ]
        let endpoints = (0..<30).filter { $0 % 3 == 0 }.flatMap { upstream in (1...2).map { Self.endpoint(upstream, $0) } }
        return (resources, endpoints)
    }

    /// One random edit of the kinds a store sees: routes, ports, Upstreams, RouteTables,
    /// endpoints, domain conflicts, VirtualServices coming and going.
    static func randomEdit(step: Int, _ resources: inout ResourceSet, _ endpoints: inout [Endpoint], _ random: inout SeededRandom) {
        switch Int.random(in: 0..<7, using: &random) {
        case 0:  // edit one VirtualService's routes
            let index = Int.random(in: 0..<resources.virtualServices.count, using: &random)
            resources.virtualServices[index] = Self.service(
                index, targets: [Int.random(in: 0..<35, using: &random)], prefix: "/v\(step)")
        case 1:  // change an Upstream's port
            let index = Int.random(in: 0..<resources.upstreams.count, using: &random)
            resources.upstreams[index] = Self.upstream(index, port: UInt32(8000 + step))
        case 2:  // remove or restore an Upstream (routes to it answer 500 meanwhile)
            if resources.upstreams.count > 25 { resources.upstreams.removeLast() } else {
                resources.upstreams.append(Self.upstream(resources.upstreams.count))
            }
        case 3:  // change the delegated RouteTable
            resources.routeTables[0].routes[0].matchers = [Matcher(path: .prefix("/store/v\(step)"))]
        case 4:  // endpoints come and go
            if endpoints.count > 10, Bool.random(using: &random) { endpoints.removeFirst() } else {
                endpoints.append(Self.endpoint(3 * Int.random(in: 0..<10, using: &random), 10 + step))
            }
        case 5:  // a domain conflict appears or disappears
            let index = Int.random(in: 0..<resources.virtualServices.count, using: &random)
            resources.virtualServices[index].virtualHost?.domains = [Bool.random(using: &random) ? "host-0.example.com" : "host-\(index).example.com"]
            resources.virtualServices[index].metadata.resourceVersion = "d\(step)"
        default:  // a VirtualService comes or goes
            if resources.virtualServices.count > 15, Bool.random(using: &random) {
                resources.virtualServices.remove(at: Int.random(in: 0..<resources.virtualServices.count, using: &random))
            } else {
                resources.virtualServices.append(Self.service(100 + step, targets: [step % 30], prefix: "/new"))
            }
        }
    }

    @Test func incrementalEqualsFullOnRandomEditSequences() throws {
        var random = SeededRandom(state: 42)
        var (resources, endpoints) = Self.initialWorld()
        let cache = TranslationCache()
        for step in 0..<120 {
            Self.randomEdit(step: step, &resources, &endpoints, &random)
            let snapshot = ApiSnapshot(resources: resources, endpoints: endpoints, takenAt: 1_798_761_600)
            let full = Translator().translate(snapshot)
            let incremental = Translator().translate(snapshot, cache: cache)
            #expect(full.proxies.count == incremental.proxies.count)
            for (a, b) in zip(full.proxies, incremental.proxies) {
                #expect(try a.envoy.jsonText() == b.envoy.jsonText(), "step \(step): Envoy resources differ")
                #expect(a.proxy == b.proxy, "step \(step): proxies differ")
                #expect(a.routeModes == b.routeModes, "step \(step): route modes differ")
                // Cached serializations are the bytes a fresh serialization gives.
                for (configuration, payload) in zip(b.envoy.routeConfigurations, b.envoy.payloads.routeConfigurations) {
                    if let payload {
                        #expect(payload == (try EnvoyResources.serialize(configuration)), "step \(step): \(configuration.name) bytes")
                    }
                }
                for (cluster, payload) in zip(b.envoy.clusters, b.envoy.payloads.clusters) {
                    #expect(payload == (try EnvoyResources.serialize(cluster)), "step \(step): \(cluster.name) bytes")
                }
                #expect(a.envoy.payloads == b.envoy.payloads, "step \(step): payloads differ")
            }
            #expect(full.reports == incremental.reports, "step \(step): reports differ")
        }
    }
}
