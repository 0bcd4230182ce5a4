import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Which endpoint subsets routes ask for, per Upstream: the key sets of route metadata matches
/// (Consul `tags`/`dataCenters` destinations, explicit `subset` values, and an Upstream's own
/// `subsetTags`). Envoy needs one subset selector per distinct key set.
struct SubsetPlan {
    private(set) var selectors: [ResourceRef: Set<[String]>] = [:]

    init(snapshot: ApiSnapshot, consulServices: [String: ResourceRef]) {
        for upstream in snapshot.allUpstreams {
            if case .consul(let consul) = upstream.upstreamType, !consul.subsetTags.isEmpty {
                add(upstream.ref, Set(consul.subsetTags.map(Endpoint.tagLabel)))
            }
        }
        func visit(_ destination: Destination?, namespace: String) {
            guard let destination else { return }
            switch destination.target {
            case .consul(let service):
                guard let upstream = consulServices[service.serviceName] else { return }
                add(upstream, Set(Self.labels(for: service).keys))
            case .upstream(let ref):
                if let subset = destination.subset { add(ref.defaultingNamespace(to: namespace), Set(subset.values.keys)) }
            case .kube, nil:
                break
            }
        }
        func visit(_ routes: [Route], namespace: String) {
            for route in routes {
                guard case .routeAction(let action) = route.action else { continue }
                switch action.destination {
                case .single(let destination): visit(destination, namespace: namespace)
                case .multi(let multi): for weighted in multi.destinations { visit(weighted.destination, namespace: namespace) }
                default: break
                }
            }
        }
        for service in snapshot.resources.virtualServices {
            visit(service.virtualHost?.routes ?? [], namespace: service.metadata.namespace)
        }
        for table in snapshot.resources.routeTables { visit(table.routes, namespace: table.metadata.namespace) }
        for group in snapshot.resources.upstreamGroups {
            for weighted in group.destinations { visit(weighted.destination, namespace: group.metadata.namespace) }
        }
    }

    private mutating func add(_ upstream: ResourceRef, _ keys: Set<String>) {
        guard !keys.isEmpty else { return }
        selectors[upstream, default: []].insert(keys.sorted())
    }

    /// The Upstream serving each Consul service: the first (by namespace and name) whose
    /// `consul.serviceName` matches.
    static func consulServices(_ upstreams: [Upstream]) -> [String: ResourceRef] {
        var services: [String: ResourceRef] = [:]
        for upstream in upstreams {
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
