import EnvoyAPI
import GlooAPI

/// A hybrid Gateway (Gloo's `hybridGateway.matchedGateways`): each matched gateway's HTTP or TCP
/// chains, taking only the connections its matcher names (source ranges; TLS with the matcher's
/// sslConfig as defaults), all in one listener. A matched gateway whose chains would match the
/// same connections as an earlier one's is an error (Envoy refuses such a listener whole).
extension TranslationSession {
    mutating func hybridChains(
        _ hybrid: HybridGateway, gateway: Gateway, listenerName: String, builder: inout ProxyBuilder,
        upstreams: [ResourceRef: Upstream], accessLogs: [Envoy_Config_Accesslog_V3_AccessLog]
    ) -> (chains: [HttpListenerBuilder.Chain], listener: HybridListener)? {
        let key = translator.key(gateway)
        var chains: [HttpListenerBuilder.Chain] = []
        var matchedListeners: [MatchedListener] = []
        var claimed: [String: Int] = [:]
        for (index, matched) in hybrid.matchedGateways.enumerated() {
            let match = ChainMatch(hybrid: matched.matcher, index: index, namespace: gateway.metadata.namespace)
            let ranges: [Envoy_Config_Core_V3_CidrRange]
            switch match.envoyRanges() {
            case .success(let converted): ranges = converted
            case .failure(let failure):
                reports.add(.error, key, failure.fieldPath, failure.reason)
                continue
            }
            var found: [HttpListenerBuilder.Chain]
            var listener = MatchedListener(matcher: matched.matcher)
            // Taken back if the chains turn out to clash with an earlier matched gateway's.
            let before = builder
            switch matched.gatewayType {
            case .httpGateway(let http):
                guard let result = httpChains(http, gateway: gateway, listenerName: listenerName, builder: &builder,
                                              accessLogs: accessLogs, match: match)
                else { continue }
                found = result.chains
                listener.httpListener = HttpListener(virtualHosts: result.hosts, options: http.options)
                listener.sslConfigurations = result.sslConfigurations
            case .tcpGateway(let tcp):
                guard checkTcpNames(tcp, match: match, key: key),
                      let result = tcpChains(tcp, gateway: gateway, builder: &builder, upstreams: upstreams,
                                             accessLogs: accessLogs, match: match)
                else { continue }
                found = result
                listener.tcpListener = TcpListener(tcpHosts: tcp.tcpHosts, options: tcp.options, statPrefix: "")
            case nil:
                reports.add(.error, key, match.field("").dropLastDot, "a matched gateway needs httpGateway or tcpGateway")
                continue
            }
            for position in found.indices { found[position].sourcePrefixRanges = ranges }
            if let earlier = found.lazy.compactMap({ claimed[$0.matchKey] }).first {
                reports.add(.error, key, match.field("matcher").dropLastDot,
                            "takes the same connections as hybridGateway.matchedGateways[\(earlier)]; not served")
                builder = before
                continue
            }
            for chain in found { claimed[chain.matchKey] = index }
            chains += found
            matchedListeners.append(listener)
        }
        guard !chains.isEmpty else {
            reports.add(.error, key, "hybridGateway", "hybrid gateway does not have any populated matched gateways")
            return nil
        }
        return (chains, HybridListener(matchedListeners: matchedListeners))
    }

    /// Gloo's check: with SNI names on the matcher, every TCP host's names must be among them.
    private mutating func checkTcpNames(_ tcp: TcpGateway, match: ChainMatch, key: ResourceKey) -> Bool {
        let allowed = Set(match.defaultSsl?.sniDomains ?? [])
        guard !allowed.isEmpty else { return true }
        let conflicting = tcp.tcpHosts.flatMap { host in
            (host.sslConfig?.sniDomains ?? []).filter { !allowed.contains($0) }.map { "\(host.name):\($0)" }
        }
        guard conflicting.isEmpty else {
            reports.add(.error, key, match.field("tcpGateway.tcpHosts"),
                        "gateway has conflicting sni domains \(conflicting.joined(separator: ", "))")
            return false
        }
        return true
    }
}

private extension String {
    /// Without a trailing `.` (a field prefix used as a path of its own).
    var dropLastDot: String { hasSuffix(".") ? String(dropLast()) : self }
}
