import GlooAPI

/// A synthetic Gloo configuration, deterministic from a seed: N Upstreams (a third Consul services
/// with endpoints), M VirtualServices of R routes, K RouteTables, E endpoints.
struct ScaleGenerator {
    struct Size: CustomStringConvertible {
        var upstreams: Int
        var virtualServices: Int
        var routesPerService: Int
        var routeTables: Int
        var endpoints: Int

        static let full = Size(upstreams: 10_000, virtualServices: 5_000, routesPerService: 10, routeTables: 200, endpoints: 100_000)
        static let quick = Size(upstreams: 200, virtualServices: 100, routesPerService: 10, routeTables: 10, endpoints: 2_000)

        var description: String {
            "\(upstreams) us / \(virtualServices) vs x \(routesPerService) / \(routeTables) rt / \(endpoints) ep"
        }
    }

    /// A seedable generator (SplitMix64): the same seed, the same configuration.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let namespace = "gloo-system"

    static func snapshot(_ size: Size, seed: UInt64 = 1) -> ApiSnapshot {
        var random = Random(state: seed)
        var resources = ResourceSet()
        resources.upstreams = (0..<size.upstreams).map { upstream($0) }
        resources.routeTables = (0..<size.routeTables).map { index in
            RouteTable(metadata: Metadata(name: "rt-\(index)", namespace: namespace), routes: (0..<5).map { route in
                Route(matchers: [Matcher(path: .prefix("/team-\(index)/r\(route)"))],
                      action: single(Int.random(in: 0..<size.upstreams, using: &random)))
            })
        }
        resources.virtualServices = (0..<size.virtualServices).map { index in
            service(index, size: size, random: &random, generation: 0)
        }
        resources.gateways = [Gateway(metadata: Metadata(name: "gateway-proxy", namespace: namespace), bindPort: 8080,
                                      gatewayType: .httpGateway(HttpGateway()))]
        let consul = (0..<size.upstreams).filter { $0 % 3 == 0 }
        let endpoints = (0..<size.endpoints).map { index -> Endpoint in
            let upstream = consul[index % max(consul.count, 1)]
            var endpoint = Endpoint(
                metadata: Metadata(name: "ep-\(index)", namespace: namespace),
                upstreams: [ResourceRef(name: "us-\(upstream)", namespace: namespace)],
                address: "10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)", port: 8080,
                datacenter: index % 2 == 0 ? "dc1" : "dc2")
            endpoint.metadata.labels = ["tag_v\(index % 3)": "1", "dc_dc\(index % 2 + 1)": "1"]
            return endpoint
        }
        return ApiSnapshot(resources: resources, endpoints: endpoints, takenAt: 1_798_761_600)
    }

    static func upstream(_ index: Int) -> Upstream {
        let metadata = Metadata(name: "us-\(index)", namespace: namespace)
        if index % 3 == 0 {
            return Upstream(metadata: metadata, upstreamType: .consul(ConsulUpstream(serviceName: "us-\(index)")))
        }
        return Upstream(metadata: metadata, upstreamType: .static(StaticUpstream(hosts: [
            StaticHost(addr: "10.200.\(index / 256 % 256).\(index % 256)", port: 8080),
        ])))
    }

    static func single(_ upstream: Int) -> RouteActionKind {
        .routeAction(RouteAction(destination: .single(Destination(target: .upstream(ResourceRef(name: "us-\(upstream)", namespace: ""))))))
    }

    /// One VirtualService; `generation` changes its routes (an edit).
    static func service(_ index: Int, size: Size, random: inout Random, generation: Int) -> VirtualService {
        var routes: [Route] = []
        for route in 0..<size.routesPerService {
            var matcher = Matcher(path: .prefix("/api/v\(generation)/r\(route)"))
            if route % 4 == 1 { matcher.headers = [HeaderMatcher(name: "x-variant", value: "b")] }
            if route % 5 == 2 { matcher.methods = ["GET", "HEAD"] }
            var gloo = Route(matchers: [matcher], action: single(Int.random(in: 0..<size.upstreams, using: &random)))
            if route % 3 == 0 { gloo.options = RouteOptions(prefixRewrite: "/", timeout: ProtoDuration(seconds: 5)) }
            routes.append(gloo)
        }
        if size.routeTables > 0, index % 10 == 0 {
            let table = index / 10 % size.routeTables
            routes.append(Route(matchers: [Matcher(path: .prefix("/team-\(table)"))],
                                action: .delegateAction(DelegateAction(delegation: .ref(ResourceRef(name: "rt-\(table)", namespace: ""))))))
        }
        // As a store gives them: every write of a key a new resource version.
        return VirtualService(metadata: Metadata(name: "vs-\(index)", namespace: namespace, resourceVersion: "\(generation + 1)"),
                              virtualHost: VirtualHost(domains: ["vs-\(index).example.com"], routes: routes))
    }
}
