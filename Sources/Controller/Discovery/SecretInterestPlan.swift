import GlooAPI

/// Which Secrets the configuration references (SSL VirtualServices, Upstreams, TCP hosts, and
/// discovered Upstreams' root CA): the only ones a secret store needs to read; and which
/// certificates it asks Vault PKI for.
enum SecretInterestPlan {
    static func referenced(_ resources: ResourceSet, discovered: [Upstream]) -> Set<ResourceRef> {
        var refs: Set<ResourceRef> = []
        forEachSource(resources, discovered: discovered) { source, namespace in
            if case .secretRef(let ref) = source { refs.insert(ref.defaultingNamespace(to: namespace)) }
        }
        return refs
    }

    /// The `sslConfig.vaultPki` requests of VirtualServices and TCP hosts.
    static func certificateRequests(_ resources: ResourceSet) -> Set<VaultPkiCertificate> {
        var requests: Set<VaultPkiCertificate> = []
        forEachSource(resources, discovered: []) { source, _ in
            if case .vaultPki(let request) = source { requests.insert(request) }
        }
        return requests
    }

    private static func forEachSource(_ resources: ResourceSet, discovered: [Upstream], _ body: (SslSource?, String) -> Void) {
        for service in resources.virtualServices { body(service.sslConfig?.source, service.metadata.namespace) }
        for upstream in resources.upstreams + discovered { body(upstream.sslConfig?.source, upstream.metadata.namespace) }
        for gateway in resources.gateways {
            guard case .tcpGateway(let tcp)? = gateway.gatewayType else { continue }
            for host in tcp.tcpHosts { body(host.sslConfig?.source, gateway.metadata.namespace) }
        }
    }
}
