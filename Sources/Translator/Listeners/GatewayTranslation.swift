import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf

/// Gateways to listeners: HTTP (plain, or SSL with one SNI-matched chain per distinct
/// `sslConfig`) and TCP (tcp_proxy per host, SNI routing, optional TLS termination).
extension TranslationSession {
    mutating func addGateway(
        _ gateway: Gateway, to builder: inout ProxyBuilder, upstreams: [ResourceRef: Upstream], rejectedTables: Set<ResourceRef>
    ) {
        let key = translator.key(gateway)
        let bindAddress = gateway.bindAddress.isEmpty ? "::" : gateway.bindAddress
        let listenerName = EnvoyNames.listener(bindAddress: bindAddress, port: gateway.bindPort)
        if let other = builder.boundBy[listenerName] {
            let address = bindAddress.contains(":") ? "[\(bindAddress)]:\(gateway.bindPort)" : "\(bindAddress):\(gateway.bindPort)"
            reports.add(.error, key, "bindPort", "\(address) is already bound by Gateway \(other) on proxy \(builder.name)")
            return
        }
        var accessLogs: [Envoy_Config_Accesslog_V3_AccessLog] = []
        do {
            accessLogs = try HttpConnectionSettingsBuilder.accessLogs(gateway.options?.accessLoggingService) { path, reason in
                reports.add(.warning, key, "options.\(path)", reason)
            }
        } catch {
            reports.add(.error, key, "options.accessLoggingService", "cannot be translated: \(error)")
            return
        }
        var listenerType: ProxyListenerType
        var chains: [HttpListenerBuilder.Chain]
        switch gateway.gatewayType {
        case .httpGateway(let http):
            let result = httpChains(http, gateway: gateway, listenerName: listenerName, builder: &builder,
                                    accessLogs: accessLogs)
            guard let result else { return }
            chains = result.chains
            listenerType = .httpListener(HttpListener(virtualHosts: result.hosts, options: http.options))
        case .tcpGateway(let tcp):
            guard let tcpChains = tcpChains(tcp, gateway: gateway, builder: &builder, upstreams: upstreams, accessLogs: accessLogs)
            else { return }
            chains = tcpChains
            listenerType = .tcpListener(TcpListener(tcpHosts: tcp.tcpHosts, options: tcp.options, statPrefix: ""))
        case .hybridGateway, nil:
            reports.add(.error, key, "", "a Gateway needs httpGateway or tcpGateway (hybridGateway is not supported)")
            return
        }
        do {
            let listener = try HttpListenerBuilder.listener(
                name: listenerName, bindAddress: bindAddress, port: gateway.bindPort, chains: chains,
                options: gateway.options, useProxyProtocol: gateway.useProxyProto == true)
            builder.boundBy[listenerName] = gateway.ref
            builder.listeners.append(listener)
            var proxyListener = ProxyListener(name: listenerName, bindAddress: bindAddress, bindPort: gateway.bindPort,
                                              listenerType: listenerType)
            proxyListener.useProxyProto = gateway.useProxyProto
            proxyListener.options = gateway.options
            builder.proxyListeners.append(proxyListener)
        } catch {
            reports.add(.error, key, "", "cannot be translated: \(error)")
        }
    }

    // MARK: HTTP

    private mutating func httpChains(
        _ http: HttpGateway, gateway: Gateway, listenerName: String, builder: inout ProxyBuilder,
        accessLogs: [Envoy_Config_Accesslog_V3_AccessLog]
    ) -> (chains: [HttpListenerBuilder.Chain], hosts: [ProxyVirtualHost])? {
        let key = translator.key(gateway)
        // Gloo's rule: SSL gateways serve the VirtualServices that have an sslConfig, plain ones the rest.
        let services = Selection.virtualServices(for: http, in: snapshot.resources.virtualServices)
            .filter { !reports.isRejected(translator.key($0)) && ($0.sslConfig != nil) == gateway.ssl }
            .sorted { $0.ref < $1.ref }
        var modeChoice = RouteModeChoice.auto
        switch RouteModeChoice.of(gateway) {
        case .success(let choice): modeChoice = choice
        case .failure(let problem): reports.add(problem.severity, key, problem.fieldPath, problem.reason)
        }
        let conflicting = domainConflicts(services, gateway: gateway)
        let served = services.filter { !conflicting.contains($0.ref) }
        // One chain (and RouteConfiguration) per distinct sslConfig; one for a plain gateway.
        var groups: [(ssl: SslConfig?, services: [VirtualService])] = []
        for service in served {
            if let index = groups.firstIndex(where: { $0.ssl == service.sslConfig }) {
                groups[index].services.append(service)
            } else {
                groups.append((service.sslConfig, [service]))
            }
        }
        if !gateway.ssl && groups.isEmpty { groups = [(nil, [])] }
        var chains: [HttpListenerBuilder.Chain] = []
        var hosts: [ProxyVirtualHost] = []
        var claimedNames: [String: ResourceRef] = [:]
        var hasDefaultChain = false
        for group in groups {
            let routeName = gateway.ssl
                ? EnvoyNames.routeConfiguration(listener: listenerName) + "-" + EnvoyNames.virtualHost(group.services[0].ref)
                : EnvoyNames.routeConfiguration(listener: listenerName)
            var transport: Envoy_Config_Core_V3_TransportSocket?
            var serverNames: [String] = []
            if let ssl = group.ssl {
                let domains = ssl.sniDomains.isEmpty ? group.services.flatMap { $0.virtualHost?.domains ?? [] } : ssl.sniDomains
                serverNames = Array(Set(domains.filter { $0 != "*" })).sorted()
                if domains.contains("*") { serverNames = [] }
                let owner = group.services[0]
                let taken = serverNames.filter { claimedNames[$0] != nil }
                if !taken.isEmpty || (serverNames.isEmpty && hasDefaultChain) {
                    for service in group.services {
                        reports.add(.error, translator.key(service), "sslConfig",
                                    taken.isEmpty ? "another sslConfig on Gateway \(gateway.ref) already serves connections without SNI"
                                        : "SNI names \(taken.joined(separator: ", ")) are already served with another sslConfig on Gateway \(gateway.ref)")
                    }
                    continue
                }
                do {
                    transport = try downstreamTLS(ssl, namespace: owner.metadata.namespace, tls: &builder.tls)
                } catch {
                    for service in group.services {
                        reports.add(.error, translator.key(service), "sslConfig", "\(error)")
                    }
                    continue
                }
                for name in serverNames { claimedNames[name] = owner.ref }
                if serverNames.isEmpty { hasDefaultChain = true }
            }
            let (mode, reason) = modeChoice.decide(for: group.services)
            if modeChoice == .scoped && mode == .single {
                reports.add(.warning, key, "metadata.annotations.\(RouteModeChoice.annotation)",
                            "scoped mode is not possible for \(routeName): \(reason); serving one RouteConfiguration")
            }
            builder.routeModes.append(RouteModeDecision(gateway: gateway.ref, listener: listenerName, routeConfiguration: routeName,
                                                        mode: mode, reason: reason))
            let (routes, groupHosts, cors) = mode == .scoped
                ? scopedRouteConfigurations(named: routeName, services: group.services)
                : routeConfiguration(named: routeName, services: group.services)
            do {
                let filter = try HttpListenerBuilder.connectionManager(
                    routeConfiguration: routeName, mode: mode, cors: cors, settings: http.options?.httpConnectionManagerSettings,
                    accessLogs: accessLogs)
                chains.append(HttpListenerBuilder.Chain(serverNames: serverNames, transportSocket: transport, filter: filter))
                builder.routeConfigurations += routes.configurations
                builder.scopedRouteConfigurations += routes.scopes
                builder.payloads.merge(routes.payloads) { first, _ in first }
                hosts += groupHosts
            } catch {
                reports.add(.error, key, "httpGateway.options", "cannot be translated: \(error)")
                return nil
            }
        }
        if chains.isEmpty {
            reports.add(.warning, key, "", "serves no VirtualService\(gateway.ssl ? " with an sslConfig" : ""); no listener is created")
            return nil
        }
        return (chains, hosts)
    }

    private func downstreamTLS(
        _ ssl: SslConfig, namespace: String, tls: inout TLSContexts
    ) throws -> Envoy_Config_Core_V3_TransportSocket {
        var context = Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext()
        context.commonTlsContext = try tls.common(
            source: ssl.source, parameters: ssl.parameters,
            alpn: ssl.alpnProtocols.isEmpty ? TLSContexts.defaultAlpn : ssl.alpnProtocols,
            verifySubjectAltName: ssl.verifySubjectAltName, namespace: namespace, needsCertificate: true)
        let verifiesClients = context.commonTlsContext.validationContextType != nil
        if verifiesClients && ssl.oneWayTls != true { context.requireClientCertificate = Google_Protobuf_BoolValue(true) }
        if ssl.disableTlsSessionResumption == true { context.disableStatelessSessionResumption = true }
        return try TLSContexts.transportSocket(context)
    }

    /// What one chain serves over RDS (and SRDS in scoped mode).
    struct ChainRoutes {
        var configurations: [Envoy_Config_Route_V3_RouteConfiguration] = []
        var scopes: [Envoy_Config_Route_V3_ScopedRouteConfiguration] = []
        /// Serializations of `configurations`, by name, where translation made them.
        var payloads: [String: Data] = [:]
    }

    /// The RouteConfiguration of one chain in single mode: one virtual host per VirtualService.
    private mutating func routeConfiguration(
        named name: String, services: [VirtualService]
    ) -> (ChainRoutes, [ProxyVirtualHost], Bool) {
        var configuration = Envoy_Config_Route_V3_RouteConfiguration()
        configuration.name = name
        var hosts: [ProxyVirtualHost] = []
        var usesCors = false
        for service in services {
            let output = hostOutput(service)
            guard let host = output.host, let proxyHost = output.proxyHost else { continue }
            configuration.virtualHosts.append(host)
            hosts.append(proxyHost)
            usesCors = usesCors || output.usesCors
        }
        return (ChainRoutes(configurations: [configuration]), hosts, usesCors)
    }

    /// The routes of one chain in scoped mode: per VirtualService a RouteConfiguration with its
    /// one virtual host (matching any host: the scope already chose it), and a routing scope per
    /// domain keyed on the lowercased host.
    private mutating func scopedRouteConfigurations(
        named name: String, services: [VirtualService]
    ) -> (ChainRoutes, [ProxyVirtualHost], Bool) {
        var routes = ChainRoutes()
        var hosts: [ProxyVirtualHost] = []
        var usesCors = false
        for service in services {
            let output = hostOutput(service)
            guard let proxyHost = output.proxyHost else { continue }
            let configurationName = EnvoyNames.scopedRouteConfiguration(routeConfiguration: name, service: service.ref)
            let build = { Self.scopedConfiguration(configurationName, host: output.host) }
            guard let built = cache?.scopedConfiguration(configurationName, service: service, build: build) ?? build() else {
                continue
            }
            routes.configurations.append(built.configuration)
            routes.payloads[configurationName] = built.payload
            for domain in Set(proxyHost.domains.map { $0.lowercased() }).sorted() {
                var scope = Envoy_Config_Route_V3_ScopedRouteConfiguration()
                scope.name = EnvoyNames.scope(routeConfiguration: name, domain: domain)
                scope.routeConfigurationName = configurationName
                var fragment = Envoy_Config_Route_V3_ScopedRouteConfiguration.Key.Fragment()
                fragment.stringKey = domain
                scope.key.fragments = [fragment]
                routes.scopes.append(scope)
            }
            hosts.append(proxyHost)
            usesCors = usesCors || output.usesCors
        }
        return (routes, hosts, usesCors)
    }

    /// One VirtualService's RouteConfiguration in scoped mode, serialized once.
    static func scopedConfiguration(
        _ name: String, host: Envoy_Config_Route_V3_VirtualHost?
    ) -> TranslationCache.ScopedOutput? {
        guard var host else { return nil }
        host.domains = ["*"]
        var configuration = Envoy_Config_Route_V3_RouteConfiguration()
        configuration.name = name
        configuration.virtualHosts = [host]
        guard let payload = try? EnvoyResources.serialize(configuration) else { return nil }
        return .init(configuration: configuration, payload: payload)
    }

    /// One VirtualService's virtual host, from the cache when its inputs did not change.
    private mutating func hostOutput(_ service: VirtualService) -> TranslationCache.HostOutput {
        let world = routeWorld
        let rootKey = translator.rootKey
        let build = { Self.virtualHost(service, world: world, rootKey: rootKey) }
        let output = cache?.host(service, build: build) ?? build()
        for finding in output.findings { reports.add(finding) }
        return output
    }

    /// One VirtualService's virtual host: pure in the service and the route world (the cache
    /// relies on that).
    static func virtualHost(
        _ service: VirtualService, world: TranslationCache.RouteWorld, rootKey: String
    ) -> TranslationCache.HostOutput {
        var findings: [Finding] = []
        guard let host = service.virtualHost else { return .init(host: nil, proxyHost: nil, findings: [], usesCors: false) }
        let routeBuilder = EnvoyRouteBuilder(
            upstreams: world.upstreams, consulServices: world.consulServices,
            upstreamGroups: Dictionary(world.upstreamGroups.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first }),
            invalidRouteStatus: world.invalidRouteStatus,
            report: { findings.append(Finding($0, key: $1.key, fieldPath: $2, reason: $3)) })
        let resolver = RouteResolver(
            routeTables: world.routeTables, rejectedTables: world.rejectedTables, rootKey: rootKey,
            report: { findings.append(Finding($0, key: $1.key, fieldPath: $2, reason: $3)) })
        let serviceKey = ResourceKey(rootKey: rootKey, kind: .virtualService, namespace: service.metadata.namespace,
                                     name: service.metadata.name)
        let hostName = EnvoyNames.virtualHost(service.ref)
        let resolved = resolver.resolve(host.routes, owner: serviceKey, path: "virtualHost.routes")
        var envoyHost = Envoy_Config_Route_V3_VirtualHost()
        envoyHost.name = hostName
        envoyHost.domains = host.domains.isEmpty ? ["*"] : host.domains
        do {
            envoyHost.routes = try resolved.enumerated().map { try routeBuilder.build($1, index: $0, virtualHost: hostName) }
            try applyVirtualHostOptions(host.options, to: &envoyHost)
        } catch {
            return .init(host: nil, proxyHost: nil, findings: findings + [Finding(.error, key: serviceKey.key, fieldPath: "virtualHost",
                                                                                  reason: "cannot be translated: \(error)")],
                         usesCors: false)
        }
        let proxyHost = ProxyVirtualHost(
            name: hostName, domains: envoyHost.domains,
            routes: resolved.map { Route(name: $0.name, matchers: [$0.matcher], action: $0.action, options: $0.options) },
            options: host.options)
        let usesCors = host.options?.cors != nil || resolved.contains { $0.options?.cors != nil }
        return .init(host: envoyHost, proxyHost: proxyHost, findings: findings, usesCors: usesCors)
    }

    /// VirtualServices on one gateway that share a domain: every one of them is reported and
    /// left out of that listener (Envoy would reject the whole RouteConfiguration).
    private mutating func domainConflicts(_ services: [VirtualService], gateway: Gateway) -> Set<ResourceRef> {
        var owners: [String: [ResourceRef]] = [:]
        for service in services {
            let declared = service.virtualHost?.domains ?? []
            for domain in Set(declared.isEmpty ? ["*"] : declared) { owners[domain, default: []].append(service.ref) }
        }
        var conflicting: Set<ResourceRef> = []
        for (domain, refs) in owners.sorted(by: { $0.key < $1.key }) where refs.count > 1 {
            for ref in refs {
                conflicting.insert(ref)
                let others = refs.filter { $0 != ref }.map(\.description).joined(separator: ", ")
                reports.add(.error, ResourceKey(rootKey: translator.rootKey, kind: .virtualService, namespace: ref.namespace, name: ref.name),
                            "virtualHost.domains",
                            "domain '\(domain)' is also served by VirtualService \(others) on Gateway \(gateway.ref)")
            }
        }
        return conflicting
    }

    static func applyVirtualHostOptions(_ options: VirtualHostOptions?, to host: inout Envoy_Config_Route_V3_VirtualHost) throws {
        guard let options else { return }
        if let headers = options.headerManipulation {
            host.requestHeadersToAdd = EnvoyRouteBuilder.headerOptions(headers.requestHeadersToAdd)
            host.requestHeadersToRemove = headers.requestHeadersToRemove
            host.responseHeadersToAdd = EnvoyRouteBuilder.headerOptions(headers.responseHeadersToAdd)
            host.responseHeadersToRemove = headers.responseHeadersToRemove
        }
        if let cors = options.cors {
            host.typedPerFilterConfig[EnvoyRouteBuilder.corsFilter] = try Google_Protobuf_Any(message: EnvoyRouteBuilder.corsPolicy(cors))
        }
        if let retries = options.retries { host.retryPolicy = EnvoyRouteBuilder.retryPolicy(retries) }
    }

    // MARK: TCP

    private mutating func tcpChains(
        _ tcp: TcpGateway, gateway: Gateway, builder: inout ProxyBuilder, upstreams: [ResourceRef: Upstream],
        accessLogs: [Envoy_Config_Accesslog_V3_AccessLog]
    ) -> [HttpListenerBuilder.Chain]? {
        let key = translator.key(gateway)
        var chains: [HttpListenerBuilder.Chain] = []
        var claimed: Set<String> = []
        var hasDefault = false
        for (index, host) in tcp.tcpHosts.enumerated() {
            let path = "tcpGateway.tcpHosts[\(index)]"
            let clusters: [(name: String, weight: UInt32)]
            switch resolveTcpTarget(host.destination?.target, namespace: gateway.metadata.namespace, upstreams: upstreams) {
            case .success(let resolved): clusters = resolved
            case .failure(let failure):
                reports.add(.warning, key, path + ".destination", "\(failure); this TCP host is not served")
                continue
            }
            let serverNames = Array(Set(host.sslConfig?.sniDomains ?? [])).filter { $0 != "*" }.sorted()
            if serverNames.contains(where: claimed.contains) || (serverNames.isEmpty && hasDefault) {
                reports.add(.error, key, path, "another TCP host already serves \(serverNames.isEmpty ? "connections without SNI" : "these SNI names")")
                continue
            }
            var transport: Envoy_Config_Core_V3_TransportSocket?
            if let ssl = host.sslConfig, ssl.source != nil {
                do {
                    transport = try downstreamTLS(ssl, namespace: gateway.metadata.namespace, tls: &builder.tls)
                } catch {
                    reports.add(.error, key, path + ".sslConfig", "\(error)")
                    continue
                }
            }
            do {
                let statPrefix = host.name.isEmpty ? "tcp-\(index)" : host.name
                let filter = try HttpListenerBuilder.tcpProxy(statPrefix: statPrefix, clusters: clusters, accessLogs: accessLogs)
                chains.append(HttpListenerBuilder.Chain(serverNames: serverNames, transportSocket: transport, filter: filter))
                claimed.formUnion(serverNames)
                if serverNames.isEmpty { hasDefault = true }
            } catch {
                reports.add(.error, key, path, "cannot be translated: \(error)")
            }
        }
        if chains.isEmpty {
            reports.add(.warning, key, "tcpGateway.tcpHosts", "no TCP host can be served; no listener is created")
            return nil
        }
        return chains
    }

    private func resolveTcpTarget(
        _ target: TcpTarget?, namespace: String, upstreams: [ResourceRef: Upstream]
    ) -> Result<[(name: String, weight: UInt32)], EnvoyRouteBuilder.Failure> {
        func cluster(_ destination: Destination?) -> Result<String, EnvoyRouteBuilder.Failure> {
            guard case .upstream(let ref)? = destination?.target else {
                return .failure(.init("TCP destinations must name an Upstream"))
            }
            let resolved = ref.defaultingNamespace(to: namespace)
            guard upstreams[resolved] != nil else { return .failure(.init("Upstream \(resolved) not found")) }
            return .success(EnvoyNames.cluster(resolved))
        }
        func weighted(_ destinations: [WeightedDestination]) -> Result<[(name: String, weight: UInt32)], EnvoyRouteBuilder.Failure> {
            var result: [(name: String, weight: UInt32)] = []
            for destination in destinations where (destination.weight ?? 0) > 0 {
                switch cluster(destination.destination) {
                case .success(let name): result.append((name, destination.weight ?? 0))
                case .failure(let failure): return .failure(failure)
                }
            }
            return result.isEmpty ? .failure(.init("no destination has a weight above 0")) : .success(result)
        }
        switch target {
        case .single(let destination): return cluster(destination).map { [(name: $0, weight: UInt32(1))] }
        case .multi(let multi): return weighted(multi.destinations)
        case .upstreamGroup(let ref):
            let resolved = ref.defaultingNamespace(to: namespace)
            guard let group = snapshot.resources.upstreamGroups.first(where: { $0.ref == resolved }) else {
                return .failure(.init("UpstreamGroup \(resolved) not found"))
            }
            return weighted(group.destinations)
        case .forwardSniClusterName: return .failure(.init("forwardSniClusterName is not supported by gloo-hashi"))
        case nil: return .failure(.init("no destination"))
        }
    }
}
