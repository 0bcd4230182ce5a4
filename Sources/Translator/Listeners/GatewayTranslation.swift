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
        case .hybridGateway(let hybrid):
            guard let result = hybridChains(hybrid, gateway: gateway, listenerName: listenerName, builder: &builder,
                                            upstreams: upstreams, accessLogs: accessLogs)
            else { return }
            chains = result.chains
            listenerType = .hybridListener(result.listener)
        case nil:
            reports.add(.error, key, "", "a Gateway needs httpGateway, tcpGateway or hybridGateway")
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

    // MARK: TCP

    mutating func tcpChains(
        _ tcp: TcpGateway, gateway: Gateway, builder: inout ProxyBuilder, upstreams: [ResourceRef: Upstream],
        accessLogs: [Envoy_Config_Accesslog_V3_AccessLog], match: ChainMatch? = nil
    ) -> [HttpListenerBuilder.Chain]? {
        let key = translator.key(gateway)
        let match = match ?? ChainMatch(gateway)
        var chains: [HttpListenerBuilder.Chain] = []
        var claimed: Set<String> = []
        var hasDefault = false
        for (index, host) in tcp.tcpHosts.enumerated() {
            let path = match.field("tcpGateway.tcpHosts[\(index)]")
            let clusters: [(name: String, weight: UInt32)]
            switch resolveTcpTarget(host.destination?.target, namespace: gateway.metadata.namespace, upstreams: upstreams) {
            case .success(let resolved): clusters = resolved
            case .failure(let failure):
                reports.add(.warning, key, path + ".destination", "\(failure); this TCP host is not served")
                continue
            }
            // A TCP host without SNI names takes the hybrid matcher's, as in Gloo.
            let names = host.sslConfig?.sniDomains.isEmpty == false ? host.sslConfig!.sniDomains : match.defaultSsl?.sniDomains ?? []
            let serverNames = Array(Set(names)).filter { $0 != "*" }.sorted()
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
                if let warning = builder.tls.warning(for: ssl.source, namespace: gateway.metadata.namespace) {
                    reports.add(.warning, key, path + ".sslConfig", warning)
                }
            }
            do {
                let statPrefix = host.name.isEmpty ? "tcp-\(index)" : host.name
                let filter = try HttpListenerBuilder.tcpProxy(statPrefix: statPrefix, clusters: clusters, accessLogs: accessLogs)
                let limit = try tcp.options?.localRatelimit.map {
                    try HttpFilterConfigs.networkLocalRateLimit($0, field: match.field("tcpGateway.options.localRatelimit"))
                }
                chains.append(HttpListenerBuilder.Chain(
                    serverNames: serverNames, transportSocket: transport, filters: (limit.map { [$0] } ?? []) + [filter],
                    transportSocketConnectTimeout: transport == nil ? nil : host.sslConfig?.transportSocketConnectTimeout))
                claimed.formUnion(serverNames)
                if serverNames.isEmpty { hasDefault = true }
            } catch {
                let failure = error as? TranslationFailure
                reports.add(.error, key, failure?.fieldPath ?? path, "cannot be translated: \(failure?.reason ?? "\(error)")")
            }
        }
        if chains.isEmpty {
            reports.add(.warning, key, match.field("tcpGateway.tcpHosts"),
                        "no TCP host can be served" + (match.fieldPrefix.isEmpty ? "; no listener is created" : ""))
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
