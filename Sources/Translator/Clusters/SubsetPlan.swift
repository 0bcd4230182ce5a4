import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Which endpoint subsets routes ask for, per Upstream: the key sets of route metadata matches
/// (Consul `tags`/`dataCenters` destinations, explicit `subset` values, and an Upstream's own
/// `subsetTags`). Envoy needs one subset selector per distinct key set.
struct SubsetPlan {
    private(set) var selectors: [ResourceRef: Set<[String]>] = [:]

    /// One route's ask: an Upstream and the label keys of the subset it wants.
    struct Request: Hashable, Sendable {
        var upstream: ResourceRef
        var keys: [String]
    }

    /// The plan for `snapshot`; with a `cache`, the asks of unchanged VirtualServices are reused.
    init(snapshot: ApiSnapshot, consulServices: [String: ResourceRef], cache: TranslationCache? = nil) {
        for upstreams in [snapshot.resources.upstreams, snapshot.discoveredUpstreams] {
            for upstream in upstreams {
                if case .consul(let consul) = upstream.upstreamType, !consul.subsetTags.isEmpty {
                    add(Request(upstream: upstream.ref, keys: Set(consul.subsetTags.map(Endpoint.tagLabel)).sorted()))
                }
            }
        }
        cache?.enterSubsetWorld(consulServices)
        let services = snapshot.resources.virtualServices
        for index in services.indices {
            func build() -> [Request] {
                Self.requests(in: services[index].virtualHost?.routes ?? [], namespace: services[index].metadata.namespace, consulServices)
            }
            for request in cache?.subsetRequests(for: services[index], build: build) ?? build() { add(request) }
        }
        for table in snapshot.resources.routeTables {
            for request in Self.requests(in: table.routes, namespace: table.metadata.namespace, consulServices) { add(request) }
        }
        for group in snapshot.resources.upstreamGroups {
            for weighted in group.destinations {
                if let request = Self.request(weighted.destination, namespace: group.metadata.namespace, consulServices) { add(request) }
            }
        }
    }

    /// The subset asks of `routes`.
    static func requests(in routes: [Route], namespace: String, _ consulServices: [String: ResourceRef]) -> [Request] {
        var requests: [Request] = []
        for route in routes {
            guard case .routeAction(let action) = route.action else { continue }
            switch action.destination {
            case .single(let destination):
                if let request = request(destination, namespace: namespace, consulServices) { requests.append(request) }
            case .multi(let multi):
                for weighted in multi.destinations {
                    if let request = request(weighted.destination, namespace: namespace, consulServices) { requests.append(request) }
                }
            default: break
            }
        }
        return requests
    }

    static func request(_ destination: Destination?, namespace: String, _ consulServices: [String: ResourceRef]) -> Request? {
        guard let destination else { return nil }
        switch destination.target {
        case .consul(let service):
            guard let upstream = consulServices[service.serviceName] else { return nil }
            return Request(upstream: upstream, keys: labels(for: service).keys.sorted())
        case .upstream(let ref):
            guard let subset = destination.subset else { return nil }
            return Request(upstream: ref.defaultingNamespace(to: namespace), keys: subset.values.keys.sorted())
        case .kube, nil:
            return nil
        }
    }

    private mutating func add(_ request: Request) {
        guard !request.keys.isEmpty else { return }
        selectors[request.upstream, default: []].insert(request.keys)
    }

    /// The Upstream serving each Consul service: the first (by namespace and name) whose
    /// `consul.serviceName` matches.
    static func consulServices(_ lists: [Upstream]...) -> [String: ResourceRef] {
        var services: [String: ResourceRef] = [:]
        for upstream in lists.joined() {
            guard case .consul(let consul) = upstream.upstreamType else { continue }
            if let existing = services[consul.serviceName], existing < upstream.ref { continue }
            services[consul.serviceName] = upstream.ref
        }
        return services
    }

    /// Gloo's labels for a Consul destination: `tag_<t>: "1"` per tag, `dc_<dc>: "1"` per datacenter.
    static func labels(for service: ConsulServiceDestination) -> [String: String] {
        var labels: [String: String] = [:]
        for tag in service.tags { labels[Endpoint.tagLabel(tag)] = "1" }
        for datacenter in service.dataCenters { labels[Endpoint.datacenterLabel(datacenter)] = "1" }
        return labels
    }

    /// Envoy metadata under `envoy.lb`, the load balancer's subset namespace.
    static func lbMetadata(_ values: [String: String]) -> Envoy_Config_Core_V3_Metadata {
        var metadata = Envoy_Config_Core_V3_Metadata()
        var fields = Google_Protobuf_Struct()
        for (key, value) in values { fields.fields[key] = Google_Protobuf_Value(stringValue: value) }
        metadata.filterMetadata["envoy.lb"] = fields
        return metadata
    }
}
