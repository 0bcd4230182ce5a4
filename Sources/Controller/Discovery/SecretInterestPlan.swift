import GlooAPI

/// Which Secrets the configuration references (SSL VirtualServices, Upstreams, TCP hosts, and
/// discovered Upstreams' root CA): the only ones a secret store needs to read.
enum SecretInterestPlan {
    static func referenced(_ resources: ResourceSet, discovered: [Upstream]) -> Set<ResourceRef> {
        var refs: Set<ResourceRef> = []
        func add(_ source: SslSource?, _ namespace: String) {
            if case .secretRef(let ref) = source { refs.insert(ref.defaultingNamespace(to: namespace)) }
        }
        for service in resources.virtualServices { add(service.sslConfig?.source, service.metadata.namespace) }
        for upstream in resources.upstreams + discovered { add(upstream.sslConfig?.source, upstream.metadata.namespace) }
        for gateway in resources.gateways {
            guard case .tcpGateway(let tcp)? = gateway.gatewayType else { continue }
            for host in tcp.tcpHosts { add(host.sslConfig?.source, gateway.metadata.namespace) }
        }
        return refs
    }
}
