import GlooAPI

/// Nomad's services become Upstreams and their instances endpoints, named as Consul discovery
/// names them (the service name in the discovery namespace) and labelled
/// `discovered_by: nomadplugin`. Pure.
public enum NomadDiscoveredUpstreams {
    public static let label = ["discovered_by": "nomadplugin"]
    /// The endpoint label naming the Nomad namespace its instance was asked in (empty: the configured one).
    public static let namespaceLabel = "nomad_namespace"

    /// One Upstream per listed service, sorted by name.
    public static func upstreams(_ services: [NomadServicesAPI.Listed], namespace: String) -> [Upstream] {
        Set(services.map(\.serviceName)).sorted().map { service in
            Upstream(metadata: Metadata(name: ResourceName.from(service), namespace: namespace, labels: label),
                     upstreamType: .nomad(NomadUpstream(serviceName: service)))
        }
    }

    /// The endpoints of one service's instances, asked for in `nomadNamespace` (empty: the
    /// configured one); each feeds the discovered Upstream of the service and carries a
    /// `tag_<tag>: 1` label per tag (`nomad.tags` selects by them) and the namespace it was asked in.
    public static func endpoints(
        _ instances: [NomadServiceRegistration], service: String, namespace: String, nomadNamespace: String = ""
    ) -> [Endpoint] {
        let upstream = ResourceRef(name: ResourceName.from(service), namespace: namespace)
        return instances.filter { $0.port > 0 && $0.port <= 65535 && !$0.address.isEmpty }.map { instance in
            var labels: [String: String] = [namespaceLabel: nomadNamespace]
            for tag in instance.tags { labels[Endpoint.tagLabel(tag)] = "1" }
            var endpoint = Endpoint(
                metadata: Metadata(name: ResourceName.from("\(service)-\(instance.allocID)-\(instance.port)"), namespace: namespace,
                                   labels: labels),
                upstreams: [upstream], address: instance.address, port: UInt32(instance.port), datacenter: instance.datacenter)
            endpoint.healthStatus = .healthy
            return endpoint
        }.sorted { ($0.address, $0.port) < ($1.address, $1.port) }
    }
}
