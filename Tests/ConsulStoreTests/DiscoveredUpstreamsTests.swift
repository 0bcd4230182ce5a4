import ConsulStore
import GlooAPI
import Testing

/// Catalog to Upstreams and health entries to endpoints: the pure halves of Consul discovery.
@Suite struct DiscoveredUpstreamsTests {
    @Test func servicesBecomeUpstreamsInTheDiscoveryNamespace() {
        var options = ConsulDiscoveryOptions()
        options.namespace = "disco"
        let upstreams = DiscoveredUpstreams.upstreams(
            catalog: ["dc1": ["web": ["v1"], "db": []], "dc2": ["web": ["v2"]]], options: options)
        #expect(upstreams.map(\.metadata.name) == ["db", "web"])
        #expect(upstreams.allSatisfy { $0.metadata.namespace == "disco" && $0.metadata.labels["discovered_by"] == "consulplugin" })
        guard case .consul(let web)? = upstreams.last?.upstreamType else { Issue.record("not a consul upstream"); return }
        #expect(web.serviceName == "web" && web.dataCenters == ["dc1", "dc2"] && web.serviceTags == ["v1", "v2"])
        // The agent's own datacenter (no name known) writes no restriction.
        let local = DiscoveredUpstreams.upstreams(catalog: ["": ["web": []]], options: options)
        guard case .consul(let spec)? = local.first?.upstreamType else { Issue.record("not a consul upstream"); return }
        #expect(spec.dataCenters.isEmpty)
        #expect(DiscoveredUpstreams.resourceName("my svc/v1") == "my-svc-v1")
    }

    @Test func theTagAllowlistKeepsOnlyTaggedServices() {
        var options = ConsulDiscoveryOptions()
        options.serviceTagsAllowlist = ["public"]
        let upstreams = DiscoveredUpstreams.upstreams(catalog: ["": ["web": ["public", "v1"], "db": ["internal"]]], options: options)
        #expect(upstreams.map(\.metadata.name) == ["web"])
    }

    @Test func tlsTaggingMakesTlsUpstreamsAndSplitServicesMakeBoth() {
        var options = ConsulDiscoveryOptions()
        options.useTlsTagging = true
        options.rootCa = ResourceRef(name: "root-ca", namespace: "gloo-system")
        let catalog = ["": ["web": ["glooUseTls"], "db": []]]
        let tagged = DiscoveredUpstreams.upstreams(catalog: catalog, options: options)
        #expect(tagged.map(\.metadata.name) == ["db", "web-tls"])
        #expect(tagged.last?.sslConfig?.source == .secretRef(ResourceRef(name: "root-ca", namespace: "gloo-system")))
        #expect(tagged.first?.sslConfig == nil)

        options.splitTlsServices = true
        let split = DiscoveredUpstreams.upstreams(catalog: catalog, options: options)
        #expect(split.map(\.metadata.name) == ["db", "web", "web-tls"])
        guard case .consul(let plain)? = split[1].upstreamType, case .consul(let tls)? = split[2].upstreamType else {
            Issue.record("not consul upstreams")
            return
        }
        #expect(plain.instanceBlacklistTags == ["glooUseTls"] && plain.instanceTags.isEmpty && split[1].sslConfig == nil)
        #expect(tls.instanceTags == ["glooUseTls"] && split[2].sslConfig != nil)
    }
}
