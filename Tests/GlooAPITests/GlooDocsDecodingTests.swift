import Testing

@testable import GlooAPI

/// Resources as Gloo's docs show them and as Gloo's own writers stored them in Consul.
@Suite struct GlooDocsDecodingTests {
    let vsKey = ResourceKey(kind: .virtualService, namespace: "gloo-system", name: "default")
    let upstreamKey = ResourceKey(kind: .upstream, namespace: "gloo-system", name: "petstore")

    @Test func virtualServiceFromGlooDocs() throws {
        let yaml = """
            metadata: {name: default, namespace: gloo-system}
            virtualHost:
              domains: ['*']
              routes:
              - matchers: [{exact: /all-pets}]
                routeAction: {single: {upstream: {name: petstore, namespace: gloo-system}}}
                options: {prefixRewrite: /api/pets}
            """
        let decoded = ResourceCodec.decode(VirtualService.self, from: Array(yaml.utf8), key: vsKey, resourceVersion: "42")
        #expect(decoded.problems.isEmpty)
        let service = try #require(decoded.resource)
        #expect(service.metadata.resourceVersion == "42")
        let route = try #require(service.virtualHost?.routes.first)
        #expect(route.matchers.first?.path == .exact("/all-pets"))
        #expect(route.options?.prefixRewrite == "/api/pets")
        guard case .routeAction(let action) = route.action, case .single(let destination) = action.destination,
              case .upstream(let ref) = destination.target
        else { Issue.record("expected a single upstream action"); return }
        #expect(ref == ResourceRef(name: "petstore", namespace: "gloo-system"))
        #expect(service.virtualHost?.domains == ["*"])
    }

    @Test func upstreamAsGlooWroteItToConsul() throws {
        let yaml = """
            consul:
              dataCenters:
              - dc1
              serviceName: petstore
              serviceTags:
              - v1
              - glooUseTls
              instanceBlacklistTags: [canary]
              consistencyMode: StaleMode
            discoveryMetadata:
              labels:
                app: petstore
            metadata:
              generation: "3"
              name: petstore
              namespace: gloo-system
              resourceVersion: "9999"
            namespacedStatuses:
              statuses:
                gloo-system:
                  reportedBy: gloo
                  state: Accepted
                  subresourceStatuses: {}
            """
        let decoded = ResourceCodec.decode(Upstream.self, from: Array(yaml.utf8), key: upstreamKey, resourceVersion: "17")
        #expect(decoded.problems.isEmpty)
        let upstream = try #require(decoded.resource)
        #expect(upstream.metadata.resourceVersion == "17", "the store's version wins over the YAML")
        #expect(upstream.metadata.generation == 3)
        #expect(upstream.discoveryMetadata?.labels["app"] == "petstore")
        #expect(upstream.namespacedStatuses.statuses["gloo-system"]?.state == .accepted)
        #expect(upstream.namespacedStatuses.statuses["gloo-system"]?.reportedBy == "gloo")
        guard case .consul(let consul) = upstream.upstreamType else { Issue.record("expected consul"); return }
        #expect(consul.serviceName == "petstore")
        #expect(consul.serviceTags == ["v1", "glooUseTls"])
        #expect(consul.instanceBlacklistTags == ["canary"])
        #expect(consul.dataCenters == ["dc1"])
        #expect(consul.consistencyMode == .staleMode)
    }

    @Test func oldTopLevelStatusWithNumericStateIsAcceptedAndIgnored() throws {
        let yaml = """
            metadata: {name: petstore, namespace: gloo-system}
            status: {state: 1, reportedBy: gloo}
            static: {hosts: [{addr: 10.0.0.1, port: "8080", loadBalancingWeight: 3}]}
            """
        let decoded = ResourceCodec.decode(Upstream.self, from: Array(yaml.utf8), key: upstreamKey)
        #expect(decoded.problems.isEmpty)
        guard case .static(let upstream) = decoded.resource?.upstreamType else { Issue.record("expected static"); return }
        #expect(upstream.hosts.first?.port == 8080, "64-bit style integers may be strings")
        #expect(upstream.hosts.first?.loadBalancingWeight == 3)
    }

    @Test func snakeCaseJSONDurationsAndEnums() throws {
        let json = """
            {"metadata": {"name": "petstore", "namespace": "gloo-system"},
             "static": {"hosts": [{"addr": "petstore.internal", "port": 443}], "use_tls": true},
             "connection_config": {"connect_timeout": "1.5s", "max_requests_per_connection": 10},
             "load_balancer_config": {"leastRequest": {"choiceCount": 3}},
             "ssl_config": {"secret_ref": {"name": "tls", "namespace": "gloo-system"}, "sni": "petstore.internal",
                            "parameters": {"minimumProtocolVersion": "TLSv1_2"}},
             "health_checks": [{"timeout": "1s", "interval": "5s", "httpHealthCheck": {"path": "/healthz"}}]}
            """
        let decoded = ResourceCodec.decode(Upstream.self, from: Array(json.utf8), key: upstreamKey)
        #expect(decoded.problems.isEmpty)
        let upstream = try #require(decoded.resource)
        #expect(upstream.connectionConfig?.connectTimeout == ProtoDuration(seconds: 1, nanos: 500_000_000))
        #expect(upstream.connectionConfig?.maxRequestsPerConnection == 10)
        #expect(upstream.loadBalancerConfig?.policy == .leastRequest(LeastRequestConfig(choiceCount: 3)))
        #expect(upstream.sslConfig?.source == .secretRef(ResourceRef(name: "tls", namespace: "gloo-system")))
        #expect(upstream.sslConfig?.parameters?.minimumProtocolVersion == .tlsV1_2)
        guard case .httpHealthCheck(let check) = upstream.healthChecks.first?.checker else {
            Issue.record("expected an HTTP health check"); return
        }
        #expect(check.path == "/healthz")
        guard case .static(let upstreamType) = upstream.upstreamType else { Issue.record("expected static"); return }
        #expect(upstreamType.useTls == true)
    }

    @Test func settingsWithDeprecatedFieldsDecodeAndHideSecrets() throws {
        let yaml = """
            metadata: {name: default, namespace: gloo-system}
            discoveryNamespace: gloo-system
            refreshRate: 60s
            gloo: {xdsBindAddr: "0.0.0.0:9977", invalidConfigPolicy: {replaceInvalidRoutes: true}}
            consulKvSource: {rootKey: gloo}
            consulKvArtifactSource: {rootKey: gloo}
            vaultSecretSource:
              address: http://vault:8200
              token: s.supersecret
              caCert: /etc/vault/ca.pem
              insecure: false
              pathPrefix: secret
              rootKey: gloo
            consul:
              address: 127.0.0.1:8500
              token: consul-secret-token
              serviceDiscovery: {dataCenters: [dc1, dc2]}
            consulDiscovery: {useTlsTagging: true, tlsTagName: glooUseTls, splitTlsServices: true}
            """
        let key = ResourceKey(kind: .settings, namespace: "gloo-system", name: "default")
        let decoded = ResourceCodec.decode(Settings.self, from: Array(yaml.utf8), key: key)
        #expect(!decoded.isRejected)
        #expect(decoded.problems.allSatisfy { $0.severity == .warning })
        #expect(decoded.problems.contains { $0.fieldPath == "gloo.invalidConfigPolicy" })
        #expect(decoded.problems.contains { $0.fieldPath == "consulKvArtifactSource" })
        let settings = try #require(decoded.resource)
        #expect(settings.gloo?.xdsBindAddr == "0.0.0.0:9977")
        #expect(settings.refreshRate == ProtoDuration(seconds: 60))
        #expect(settings.consul?.serviceDiscovery?.dataCenters == ["dc1", "dc2"])
        #expect(settings.consulDiscovery?.splitTlsServices == true)
        guard case .vaultSecretSource(let vault) = settings.secretSource, case .consulKvSource(let kv) = settings.configSource
        else { Issue.record("expected vault and consul sources"); return }
        #expect(vault.token.revealed == "s.supersecret")
        #expect(kv.rootKey == "gloo")
        let printed = "\(settings) \(String(reflecting: settings))"
        #expect(!printed.contains("s.supersecret"))
        #expect(!printed.contains("consul-secret-token"))
    }

    @Test func unsupportedSecurityOptionRejectsAndIgnorableOptionWarns() {
        let yaml = """
            virtualHost:
              domains: [example.com]
              options: {stats: {virtualClusters: []}}
              routes:
              - matchers: [{prefix: /}]
                directResponseAction: {status: 200}
                options: {jwt: {providers: {}}}
            """
        let decoded = ResourceCodec.decode(VirtualService.self, from: Array(yaml.utf8), key: vsKey)
        #expect(decoded.isRejected)
        #expect(decoded.problems.contains { $0.severity == .error && $0.fieldPath == "virtualHost.routes[0].options.jwt" })
        #expect(decoded.problems.contains { $0.severity == .warning && $0.fieldPath == "virtualHost.options.stats" })
    }

    @Test func encodingIsDeterministicAndRoundTrips() throws {
        let yaml = """
            metadata: {name: default, namespace: gloo-system, labels: {zeta: "1", alpha: "2", mid: "3"}}
            virtualHost:
              domains: [a.example.com, b.example.com]
              routes:
              - matchers: [{prefix: /api, headers: [{name: x-env, value: prod}], methods: [GET]}]
                routeAction: {multi: {destinations: [{weight: 1, destination: {upstream: {name: a}}}, {weight: 3, destination: {consul: {serviceName: b, tags: [v2]}}}]}}
                options: {timeout: 0.250s, retries: {retryOn: 5xx, numRetries: 2}, extensions: {configs: {x: {}}}}
            """
        let decoded = ResourceCodec.decode(VirtualService.self, from: Array(yaml.utf8), key: vsKey)
        let service = try #require(decoded.resource)
        let first = ResourceCodec.yaml(service)
        #expect(first == ResourceCodec.yaml(service))
        #expect(first.contains("alpha: \"2\"\n    mid: \"3\"\n    zeta: \"1\""), "labels are written sorted")
        #expect(first.contains("timeout: 0.250s"))
        let again = ResourceCodec.decode(VirtualService.self, from: Array(first.utf8), key: vsKey)
        #expect(again.resource == service)
        #expect(ResourceCodec.yaml(try #require(again.resource)) == first)
    }
}
