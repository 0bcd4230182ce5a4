import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Turns an ApiSnapshot into, per gateway proxy, a Gloo Proxy and its Envoy resources, plus a
/// report for every resource. Pure: no I/O, no clock; the same snapshot always gives the same
/// output. Translation never fails as a whole: a bad resource is reported and left out, a bad
/// route answers 500, everything else is served.
public struct Translator: Sendable {
    public var rootKey: String
    /// The status a route answers when its destination is missing.
    public var invalidRouteStatus: UInt32

    public init(rootKey: String = ResourceKey.defaultRootKey, invalidRouteStatus: UInt32 = 500) {
        self.rootKey = rootKey
        self.invalidRouteStatus = invalidRouteStatus
    }

    public func translate(_ snapshot: ApiSnapshot) -> TranslationResult {
        var session = TranslationSession(translator: self, snapshot: snapshot)
        return session.run()
    }

    func key<R: Resource>(_ resource: R) -> ResourceKey {
        ResourceKey(rootKey: rootKey, kind: R.kind, namespace: resource.metadata.namespace, name: resource.metadata.name)
    }
}

/// The mutable state of one translation.
struct TranslationSession {
    let translator: Translator
    let snapshot: ApiSnapshot
    var reports = Reports()

    init(translator: Translator, snapshot: ApiSnapshot) {
        self.translator = translator
        self.snapshot = snapshot
    }

    mutating func run() -> TranslationResult {
        let resources = snapshot.resources
        for upstream in resources.upstreams { reports.touch(translator.key(upstream)) }
        for group in resources.upstreamGroups { reports.touch(translator.key(group)) }
        for gateway in resources.gateways { reports.touch(translator.key(gateway)) }
        for service in resources.virtualServices { reports.touch(translator.key(service)) }
        for table in resources.routeTables { reports.touch(translator.key(table)) }
        for finding in snapshot.findings { reports.add(finding) }
        // Reference problems outside routes come from the shared checker: delegation cycles
        // reject their tables, structural problems reject their resource, the rest is served
        // around and reported as a warning. Route-level problems are reported below by the route
        // resolver and builder, with what the gateway does about them (answer 500, skip).
        var rejectedTables: Set<ResourceRef> = []
        for finding in ReferenceChecker.check(snapshot, rootKey: translator.rootKey) {
            let isCycle = finding.reason.hasPrefix("delegation cycle")
            let inRoutes = finding.fieldPath.hasPrefix("virtualHost.routes") || finding.fieldPath.hasPrefix("routes[")
            if inRoutes && !isCycle { continue }
            let isStructural = finding.fieldPath.isEmpty || finding.fieldPath == "virtualHost"
            var adjusted = finding
            adjusted.severity = isCycle || (isStructural && finding.severity == .error) ? .error : .warning
            reports.add(adjusted)
            if isCycle, let key = try? ResourceKey.parse(finding.key, rootKey: translator.rootKey).get() {
                rejectedTables.insert(key.ref)
            }
        }

        let (clusters, loadAssignments, upstreams) = translateUpstreams()
        var proxies: [String: ProxyBuilder] = [:]
        for gateway in resources.gateways.sorted(by: { $0.ref < $1.ref }) where !reports.isRejected(translator.key(gateway)) {
            for proxyName in gateway.effectiveProxyNames {
                let group = EnvoyNames.nodeGroup(namespace: gateway.metadata.namespace, proxy: proxyName)
                var builder = proxies[group] ?? ProxyBuilder(name: proxyName, namespace: gateway.metadata.namespace)
                addGateway(gateway, to: &builder, upstreams: upstreams, rejectedTables: rejectedTables)
                proxies[group] = builder
            }
        }
        let translations = proxies.keys.sorted().map { group -> ProxyTranslation in
            let builder = proxies[group]!
            var envoy = EnvoyResources()
            envoy.clusters = clusters
            envoy.loadAssignments = loadAssignments
            envoy.listeners = builder.listeners.sorted { $0.name < $1.name }
            envoy.routeConfigurations = builder.routeConfigurations.sorted { $0.name < $1.name }
            let proxy = Proxy(metadata: Metadata(name: builder.name, namespace: builder.namespace),
                              listeners: builder.proxyListeners)
            return ProxyTranslation(group: group, proxy: proxy, envoy: envoy)
        }
        return TranslationResult(proxies: translations, reports: reports)
    }

    // MARK: Upstreams

    private mutating func translateUpstreams() -> (
        [Envoy_Config_Cluster_V3_Cluster], [Envoy_Config_Endpoint_V3_ClusterLoadAssignment], [ResourceRef: Upstream]
    ) {
        var clusters: [Envoy_Config_Cluster_V3_Cluster] = []
        var assignments: [Envoy_Config_Endpoint_V3_ClusterLoadAssignment] = []
        var usable: [ResourceRef: Upstream] = [:]
        for upstream in snapshot.allUpstreams.sorted(by: { $0.ref < $1.ref }) where usable[upstream.ref] == nil {
            let key = translator.key(upstream)
            guard !reports.isRejected(key) else { continue }
            var problems: [(Severity, String, String)] = []
            let clusterTranslator = ClusterTranslator { problems.append(($0, $1, $2)) }
            do {
                if let (cluster, assignment) = try clusterTranslator.translate(upstream, endpoints: snapshot.endpoints) {
                    clusters.append(cluster)
                    if let assignment { assignments.append(assignment) }
                    usable[upstream.ref] = upstream
                }
            } catch {
                problems.append((.error, "", "cannot be translated: \(error)"))
            }
            for (severity, path, reason) in problems { reports.add(severity, key, path, reason) }
        }
        return (clusters.sorted { $0.name < $1.name }, assignments.sorted { $0.clusterName < $1.clusterName }, usable)
    }

    // MARK: Gateways

    struct ProxyBuilder {
        var name: String
        var namespace: String
        var listeners: [Envoy_Config_Listener_V3_Listener] = []
        var routeConfigurations: [Envoy_Config_Route_V3_RouteConfiguration] = []
        var proxyListeners: [ProxyListener] = []
        var boundBy: [String: ResourceRef] = [:]
    }

    private mutating func addGateway(
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
        if gateway.ssl {
            reports.add(.error, key, "ssl", "SSL gateways are not translated yet by gloo-hashi")
            return
        }
        guard case .httpGateway(let http) = gateway.gatewayType else {
            let kind = gateway.gatewayType.map { "\($0)".prefix(while: { $0 != "(" }) } ?? "none"
            reports.add(.error, key, "", "gateway type '\(kind)' is not translated yet by gloo-hashi; only httpGateway is")
            return
        }
        builder.boundBy[listenerName] = gateway.ref
        let routeConfigName = EnvoyNames.routeConfiguration(listener: listenerName)
        let services = Selection.virtualServices(for: http, in: snapshot.resources.virtualServices)
            .filter { !reports.isRejected(translator.key($0)) }
            .sorted { $0.ref < $1.ref }
        let conflicting = domainConflicts(services, gateway: gateway)

        var routeBuilder = EnvoyRouteBuilder(
            upstreams: upstreams,
            upstreamGroups: Dictionary(snapshot.resources.upstreamGroups.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a }),
            invalidRouteStatus: translator.invalidRouteStatus, report: { _, _, _, _ in })
        var findings: [Finding] = []
        routeBuilder.report = { findings.append(Finding($0, key: $1.key, fieldPath: $2, reason: $3)) }
        var resolver = RouteResolver(routeTables: snapshot.resources.routeTables, rejectedTables: rejectedTables,
                                     rootKey: translator.rootKey, report: { _, _, _, _ in })
        resolver.report = { findings.append(Finding($0, key: $1.key, fieldPath: $2, reason: $3)) }

        var routeConfiguration = Envoy_Config_Route_V3_RouteConfiguration()
        routeConfiguration.name = routeConfigName
        var proxyHosts: [ProxyVirtualHost] = []
        var usesCors = false
        for service in services where !conflicting.contains(service.ref) {
            guard let host = service.virtualHost else { continue }
            let serviceKey = translator.key(service)
            let hostName = EnvoyNames.virtualHost(service.ref)
            let resolved = resolver.resolve(host.routes, owner: serviceKey, path: "virtualHost.routes")
            var envoyHost = Envoy_Config_Route_V3_VirtualHost()
            envoyHost.name = hostName
            envoyHost.domains = host.domains.isEmpty ? ["*"] : host.domains
            do {
                envoyHost.routes = try resolved.enumerated().map { try routeBuilder.build($1, index: $0, virtualHost: hostName) }
                try applyVirtualHostOptions(host.options, to: &envoyHost)
            } catch {
                reports.add(.error, serviceKey, "virtualHost", "cannot be translated: \(error)")
                continue
            }
            usesCors = usesCors || host.options?.cors != nil || resolved.contains { $0.options?.cors != nil }
            routeConfiguration.virtualHosts.append(envoyHost)
            proxyHosts.append(ProxyVirtualHost(
                name: hostName, domains: envoyHost.domains,
                routes: resolved.map { Route(name: $0.name, matchers: [$0.matcher], action: $0.action, options: $0.options) },
                options: host.options))
        }
        for finding in findings { reports.add(finding) }
        do {
            let listener = try HttpListenerBuilder.listener(
                name: listenerName, bindAddress: bindAddress, port: gateway.bindPort, routeConfiguration: routeConfigName,
                cors: usesCors)
            builder.listeners.append(listener)
            builder.routeConfigurations.append(routeConfiguration)
            builder.proxyListeners.append(ProxyListener(
                name: listenerName, bindAddress: bindAddress, bindPort: gateway.bindPort,
                listenerType: .httpListener(HttpListener(virtualHosts: proxyHosts, options: http.options))))
        } catch {
            reports.add(.error, key, "", "cannot be translated: \(error)")
        }
    }

    /// VirtualServices on one gateway that share a domain: every one of them is reported and
    /// left out of that listener (Envoy would reject the whole RouteConfiguration).
    private mutating func domainConflicts(_ services: [VirtualService], gateway: Gateway) -> Set<ResourceRef> {
        var owners: [String: [ResourceRef]] = [:]
        for service in services {
            let domains = Set((service.virtualHost?.domains ?? []).isEmpty ? ["*"] : service.virtualHost!.domains)
            for domain in domains { owners[domain, default: []].append(service.ref) }
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

    private func applyVirtualHostOptions(_ options: VirtualHostOptions?, to host: inout Envoy_Config_Route_V3_VirtualHost) throws {
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
}
