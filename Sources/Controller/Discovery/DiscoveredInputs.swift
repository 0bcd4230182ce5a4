import GlooAPI

/// What discovery adds to an ApiSnapshot: the discovered Upstreams that no stored Upstream
/// replaces (a stored one with the same name wins, as when `gloo-hashi discovery` writes them
/// to Consul KV), and the endpoints, each also feeding the user-written `consul` Upstreams of its
/// service. Joined here, at snapshot time, so editing an Upstream never waits for discovery to
/// answer again (Gloo reset endpoints on Upstream edits: kgateway#9873).
struct DiscoveredInputs: Equatable {
    static func == (lhs: DiscoveredInputs, rhs: DiscoveredInputs) -> Bool {
        lhs.upstreams == rhs.upstreams && lhs.endpoints == rhs.endpoints
    }

    var upstreams: [Upstream] = []
    var endpoints: [Endpoint] = []
    /// What `upstreams` was made of, so an unchanged join keeps the same array (and the
    /// translator's comparisons stay pointer checks).
    private var basis: (sources: [String: [Upstream]], stored: [Upstream]) = ([:], [])

    init() {}

    /// Joins the results of the discovery sources (by source name: `consul`, `nomad`) with the
    /// stored Upstreams; `previous` lends its Upstream list when neither side changed.
    init(results: [String: DiscoveryResult], stored: [Upstream], previous: DiscoveredInputs? = nil) {
        // User-written Upstreams by the source and service they draw on.
        var consumers: [String: [String: [ResourceRef]]] = [:]
        for upstream in stored {
            switch upstream.upstreamType {
            case .consul(let spec): consumers["consul", default: [:]][spec.serviceName, default: []].append(upstream.metadata.ref)
            case .nomad(let spec): consumers["nomad", default: [:]][spec.serviceName, default: []].append(upstream.metadata.ref)
            default: break
            }
        }
        let sources = results.mapValues(\.upstreams)
        if let previous, previous.basis.sources == sources, previous.basis.stored == stored {
            upstreams = previous.upstreams
        } else {
            var seen = Set(stored.map(\.metadata.ref))
            for source in results.keys.sorted() {
                for upstream in results[source]!.upstreams where seen.insert(upstream.metadata.ref).inserted {
                    upstreams.append(upstream)
                }
            }
        }
        basis = (sources, stored)
        for source in results.keys.sorted() {
            let result = results[source]!
            let byService = consumers[source] ?? [:]
            for service in result.endpoints.keys.sorted() {
                let extra = byService[service] ?? []
                for var endpoint in result.endpoints[service]! {
                    if !extra.isEmpty { endpoint.upstreams += extra.filter { !endpoint.upstreams.contains($0) } }
                    endpoints.append(endpoint)
                }
            }
        }
    }
}
