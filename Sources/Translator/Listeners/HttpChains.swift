import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf

/// The filter chains of an HTTP gateway: plain (one chain) or SSL (one SNI-matched chain per
/// distinct `sslConfig`), each with its routes in single or scoped mode. VirtualServices are
/// handled by index into the snapshot, so a gateway of 5,000 never copies them.
extension TranslationSession {
    mutating func httpChains(
        _ http: HttpGateway, gateway: Gateway, listenerName: String, builder: inout ProxyBuilder,
        accessLogs: [Envoy_Config_Accesslog_V3_AccessLog], match: ChainMatch? = nil
    ) -> (chains: [HttpListenerBuilder.Chain], hosts: [ProxyVirtualHost], sslConfigurations: [SslConfig])? {
        let key = translator.key(gateway)
        let match = match ?? ChainMatch(gateway)
        let ssl = match.ssl
        let all = snapshot.resources.virtualServices
        // Gloo's rule: SSL gateways serve the VirtualServices that have an sslConfig, plain ones the rest.
        let selects = Selection.selects(http)
        let rejected = reports.rejectedRefs(of: .virtualService)
        let services = all.indices
            .filter {
                (all[$0].sslConfig != nil) == ssl && all[$0].virtualHost != nil && selects(all[$0])
                    && !rejected.contains(all[$0].ref)
            }
            .sorted { all[$0].ref < all[$1].ref }
        var modeChoice = RouteModeChoice.auto
        switch RouteModeChoice.of(gateway) {
        case .success(let choice): modeChoice = choice
        case .failure(let problem): reports.add(problem.severity, key, problem.fieldPath, problem.reason)
        }
        let conflicting = domainConflicts(services, in: all, gateway: gateway)
        // One chain (and RouteConfiguration) per sslConfig that differs in more than its
        // sniDomains (Gloo's ConsolidateSslConfigurations); one for a plain gateway.
        var groups: [(ssl: SslConfig?, services: [Int], sniDomains: [String])] = []
        // Group positions by sslConfig: one hash lookup per VirtualService, not a scan of the groups.
        var groupOf: [SslConfig: Int] = [:]
        for index in services where !conflicting.contains(all[index].ref) {
            if ssl, let own = all[index].sslConfig {
                let ssl = match.ssl(for: own)
                var shape = ssl
                shape.sniDomains = []
                if let existing = groupOf[shape] {
                    groups[existing].services.append(index)
                    // A member that matches every name makes the chain match every name.
                    let names = groups[existing].sniDomains
                    groups[existing].sniDomains = names.isEmpty || ssl.sniDomains.isEmpty
                        ? [] : names + ssl.sniDomains.filter { !names.contains($0) }
                } else {
                    groupOf[shape] = groups.count
                    groups.append((ssl, [index], ssl.sniDomains))
                }
            } else if !ssl, !groups.isEmpty {
                groups[0].services.append(index)
            } else {
                groups.append((all[index].sslConfig, [index], []))
            }
        }
        if !ssl && groups.isEmpty { groups = [(nil, [], [])] }
        var chains: [HttpListenerBuilder.Chain] = []
        var hosts: [ProxyVirtualHost] = []
        var claimedNames: [String: ResourceRef] = [:]
        var hasDefaultChain = false
        for group in groups {
            let routeName = ssl
                ? EnvoyNames.routeConfiguration(listener: listenerName) + match.routeSuffix + "-" + EnvoyNames.virtualHost(all[group.services[0]].ref)
                : EnvoyNames.routeConfiguration(listener: listenerName) + match.routeSuffix
            var transport: Envoy_Config_Core_V3_TransportSocket?
            var serverNames: [String] = []
            if let ssl = group.ssl {
                // Without sniDomains the chain answers every name, as in Gloo (clients without SNI too).
                serverNames = group.sniDomains.contains("*") ? [] : Array(Set(group.sniDomains)).sorted()
                let owner = all[group.services[0]]
                let taken = serverNames.filter { claimedNames[$0] != nil }
                if !taken.isEmpty || (serverNames.isEmpty && hasDefaultChain) {
                    for index in group.services {
                        reports.add(.error, translator.key(all[index]), "sslConfig",
                                    taken.isEmpty ? "another sslConfig on Gateway \(gateway.ref) already serves connections without SNI"
                                        : "SNI names \(taken.joined(separator: ", ")) are already served with another sslConfig on Gateway \(gateway.ref)")
                    }
                    continue
                }
                do {
                    transport = try downstreamTLS(ssl, namespace: owner.metadata.namespace, tls: &builder.tls)
                } catch {
                    for index in group.services { reports.add(.error, translator.key(all[index]), "sslConfig", "\(error)") }
                    continue
                }
                if let warning = builder.tls.warning(for: ssl.source, namespace: owner.metadata.namespace) {
                    for index in group.services { reports.add(.warning, translator.key(all[index]), "sslConfig", warning) }
                }
                for name in serverNames { claimedNames[name] = owner.ref }
                if serverNames.isEmpty { hasDefaultChain = true }
            }
            let (mode, reason) = modeChoice.decide(for: group.services.lazy.map { all[$0] })
            if modeChoice == .scoped && mode == .single {
                reports.add(.warning, key, "metadata.annotations.\(RouteModeChoice.annotation)",
                            "scoped mode is not possible for \(routeName): \(reason); serving one RouteConfiguration")
            }
            let settings = ChainRouteSettings(routeOptions: gateway.routeOptions, context: HostContext(http.options))
            let routes = mode == .scoped
                ? scopedRoutes(chain: routeName, services: group.services, in: all, options: settings)
                : singleRoutes(chain: routeName, services: group.services, in: all, options: settings)
            do {
                let world = routeWorld
                let tracing = try http.options?.httpConnectionManagerSettings?.tracing.map { settings in
                    try TracingConfigs.tracing(settings, gatewayName: gateway.metadata.name) { ref in
                        let resolved = ref.defaultingNamespace(to: gateway.metadata.namespace)
                        return world.upstreams.contains(resolved) ? EnvoyNames.cluster(resolved) : nil
                    }
                }
                let filter = try HttpListenerBuilder.connectionManager(
                    routeConfiguration: routeName, mode: mode, filters: routes.filters, options: http.options, accessLogs: accessLogs,
                    tracing: tracing)
                let networkFilters = try http.options?.networkLocalRatelimit.map {
                    try HttpFilterConfigs.networkLocalRateLimit($0, field: "httpGateway.options.networkLocalRatelimit")
                }
                chains.append(HttpListenerBuilder.Chain(
                    serverNames: serverNames, transportSocket: transport, filters: (networkFilters.map { [$0] } ?? []) + [filter],
                    transportSocketConnectTimeout: transport == nil ? nil : group.ssl?.transportSocketConnectTimeout))
                builder.add(routes)
                builder.routeModes.append(RouteModeDecision(gateway: gateway.ref, listener: listenerName, routeConfiguration: routeName,
                                                            mode: mode, reason: reason))
                hosts += routes.hosts
            } catch {
                let failure = error as? TranslationFailure
                reports.add(.error, key, match.field(failure?.fieldPath ?? "httpGateway.options"),
                            "cannot be translated: \(failure?.reason ?? "\(error)")")
                return nil
            }
        }
        if chains.isEmpty {
            reports.add(.warning, key, match.fieldPrefix.isEmpty ? "" : String(match.fieldPrefix.dropLast()),
                        "serves no VirtualService\(ssl ? " with an sslConfig" : "")\(match.fieldPrefix.isEmpty ? "; no listener is created" : "")")
            return nil
        }
        return (chains, hosts, groups.compactMap(\.ssl))
    }

    func downstreamTLS(
        _ ssl: SslConfig, namespace: String, tls: inout TLSContexts
    ) throws -> Envoy_Config_Core_V3_TransportSocket {
        var context = Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext()
        context.commonTlsContext = try tls.common(
            source: ssl.source, parameters: ssl.parameters, alpn: TLSContexts.downstreamAlpn(ssl.alpnProtocols),
            verifySubjectAltName: ssl.verifySubjectAltName, namespace: namespace, needsCertificate: true,
            oneWay: ssl.oneWayTls == true)
        if context.commonTlsContext.validationContextType != nil { context.requireClientCertificate = Google_Protobuf_BoolValue(true) }
        if ssl.disableTlsSessionResumption == true { context.disableStatelessSessionResumption = true }
        switch ssl.ocspStaplePolicy {
        case .strictStapling?: context.ocspStaplePolicy = .strictStapling
        case .mustStaple?: context.ocspStaplePolicy = .mustStaple
        case .lenientStapling?, nil: break
        }
        return try TLSContexts.transportSocket(context)
    }

    /// VirtualServices on one gateway that share a domain: every one of them is reported and
    /// left out of that listener (Envoy would reject the whole RouteConfiguration).
    private mutating func domainConflicts(_ services: [Int], in all: [VirtualService], gateway: Gateway) -> Set<ResourceRef> {
        var firstOwner: [String: ResourceRef] = [:]
        firstOwner.reserveCapacity(services.count)
        var shared: [String: [ResourceRef]] = [:]
        for index in services {
            let declared = all[index].virtualHost?.domains ?? []
            let domains = declared.isEmpty ? ["*"] : declared.count == 1 ? declared : Array(Set(declared))
            for domain in domains {
                if let owner = firstOwner[domain] {
                    shared[domain, default: [owner]].append(all[index].ref)
                } else {
                    firstOwner[domain] = all[index].ref
                }
            }
        }
        var conflicting: Set<ResourceRef> = []
        for (domain, refs) in shared.sorted(by: { $0.key < $1.key }) {
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
}
