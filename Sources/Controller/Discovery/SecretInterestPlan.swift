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

    /// Visits by position: resources are large values, and this runs on every edit at 15,000 of them.
    private static func forEachSource(_ resources: ResourceSet, discovered: [Upstream], _ body: (SslSource?, String) -> Void) {
        let services = resources.virtualServices
        for index in services.indices where services[index].sslConfig != nil {
            body(services[index].sslConfig?.source, services[index].metadata.namespace)
        }
        for upstreams in [resources.upstreams, discovered] {
            for index in upstreams.indices where upstreams[index].sslConfig != nil {
                body(upstreams[index].sslConfig?.source, upstreams[index].metadata.namespace)
            }
        }
        for gateway in resources.gateways {
            for tcp in gateway.tcpGateways {
                for host in tcp.tcpHosts { body(host.sslConfig?.source, gateway.metadata.namespace) }
            }
            for ssl in gateway.matcherSslConfigs { body(ssl.source, gateway.metadata.namespace) }
        }
    }
}
