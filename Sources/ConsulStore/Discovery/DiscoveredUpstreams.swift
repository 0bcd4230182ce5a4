import GlooAPI

/// Consul's service list becomes Upstreams (REFERENCE.md section 3): one `<service>` per service in
/// the discovery namespace, or `<service>-tls` (and with split TLS services, both) when TLS
/// tagging finds the TLS tag. Pure: the same catalog always gives the same Upstreams.
public enum DiscoveredUpstreams {
    /// The Upstreams for `catalog` (per datacenter: service name and its tags), sorted by name.
    /// `datacenters` lists the configured datacenters (empty: the agent's own, then no
    /// `dataCenters` restriction is written).
    public static func upstreams(
        catalog: [String: [String: [String]]], options: ConsulDiscoveryOptions
    ) -> [Upstream] {
        let (tags, centers) = summary(catalog)
        var upstreams: [Upstream] = []
        for service in tags.keys.sorted() {
            let serviceTags = tags[service]!
            let allowlist = options.serviceTagsAllowlist
            if !allowlist.isEmpty, !serviceTags.contains(where: allowlist.contains) { continue }
            let datacenters = centers[service] ?? []
            let base = upstream(service, name: resourceName(service), tags: serviceTags, datacenters: datacenters, options: options)
            guard options.useTlsTagging, serviceTags.contains(options.tlsTagName) else {
                upstreams.append(base)
                continue
            }
            var tls = upstream(service, name: resourceName(service) + "-tls", tags: serviceTags, datacenters: datacenters,
                               options: options)
            tls.sslConfig = UpstreamSslConfig(source: options.rootCa.map { .secretRef($0) })
            if options.splitTlsServices {
                if case .consul(var spec) = tls.upstreamType {
                    spec.instanceTags = [options.tlsTagName]
                    tls.upstreamType = .consul(spec)
                }
                var plain = base
                if case .consul(var spec) = plain.upstreamType {
                    spec.instanceBlacklistTags = [options.tlsTagName]
                    plain.upstreamType = .consul(spec)
                }
                upstreams.append(plain)
            }
            upstreams.append(tls)
        }
        return upstreams.sorted { $0.metadata.name < $1.metadata.name }
    }

    /// Per service, every tag it has anywhere and the named datacenters that list it, sorted.
    public static func summary(
        _ catalog: [String: [String: [String]]]
    ) -> (tags: [String: [String]], datacenters: [String: [String]]) {
        var tags: [String: Set<String>] = [:]
        var centers: [String: Set<String>] = [:]
        for (datacenter, services) in catalog {
            for (service, serviceTags) in services {
                tags[service, default: []].formUnion(serviceTags)
                if !datacenter.isEmpty { centers[service, default: []].insert(datacenter) }
            }
        }
        return (tags.mapValues { $0.sorted() }, centers.mapValues { $0.sorted() })
    }

    /// A resource name for a Consul service: the name itself when it is one, else with every
    /// character outside `[a-zA-Z0-9._-]` replaced by `-`.
    public static func resourceName(_ service: String) -> String { ResourceName.from(service) }

    private static func upstream(
        _ service: String, name: String, tags: [String], datacenters: [String], options: ConsulDiscoveryOptions
    ) -> Upstream {
        var spec = ConsulUpstream(serviceName: service, dataCenters: datacenters)
        spec.serviceTags = tags
        return Upstream(
            metadata: Metadata(name: name, namespace: options.namespace,
                               labels: [ConsulDiscoveryOptions.discoveredByLabel: ConsulDiscoveryOptions.discoveredByValue]),
            upstreamType: .consul(spec))
    }
}
