import GlooAPI

/// The instances of one Consul service in one datacenter become endpoints (REFERENCE.md
/// section 3): passing instances (and `warning` ones when asked for), never those in maintenance;
/// `ServiceAddress` or else the node's address, hostnames resolved to IPs; `tag_*` and `dc_*`
/// subset labels; `Weights` as load-balancing weights. Pure, given the resolver's answers.
public enum ConsulServiceEndpoints {
    /// What became of one service's instances.
    public struct Outcome: Sendable, Hashable {
        public var endpoints: [Endpoint] = []
        /// Instances left out because of their health (critical, maintenance, warning unless asked for).
        public var unhealthy = 0
        /// Hostnames that have not resolved yet (their instances are left out).
        public var unresolved: Set<String> = []
    }

    /// The endpoints of `entries` (one service in `datacenter`). `serviceTags` and
    /// `serviceDatacenters` are every tag and datacenter the service has, so every endpoint carries
    /// a `0` or `1` for each; `upstreams` are the discovered Upstreams fed by this service.
    public static func endpoints(
        _ entries: [ConsulHealth.ServiceEntry], datacenter: String, serviceTags: [String], serviceDatacenters: [String],
        upstreams: [ResourceRef], options: ConsulDiscoveryOptions, resolve: (String) -> [String]?
    ) -> Outcome {
        var outcome = Outcome()
        for entry in entries {
            let weight: Int?
            switch entry.aggregateStatus {
            case .passing: weight = entry.service.weights?.passing
            case .warning where options.includeWarningInstances: weight = entry.service.weights?.warning
            default: weight = -1
            }
            if entry.inMaintenance || weight == -1 || weight == 0 {
                outcome.unhealthy += 1
                continue
            }
            let center = entry.node.datacenter.isEmpty ? datacenter : entry.node.datacenter
            let host = entry.service.address.isEmpty ? entry.node.address : entry.service.address
            guard entry.service.port > 0, entry.service.port <= 65535, !host.isEmpty else { continue }
            let addresses: [String]
            var hostname = ""
            if IPAddressText.isLiteral(host) {
                addresses = [host]
            } else if let resolved = resolve(host), !resolved.isEmpty {
                addresses = resolved
                hostname = host
            } else {
                outcome.unresolved.insert(host)
                continue
            }
            var labels: [String: String] = [:]
            for tag in serviceTags { labels[Endpoint.tagLabel(tag)] = "0" }
            for tag in entry.service.tags { labels[Endpoint.tagLabel(tag)] = "1" }
            for other in serviceDatacenters { labels[Endpoint.datacenterLabel(other)] = "0" }
            if !center.isEmpty { labels[Endpoint.datacenterLabel(center)] = "1" }
            for address in addresses {
                var name = "\(entry.service.service)-\(center)-\(entry.node.node)-\(entry.service.id)"
                if addresses.count > 1 { name += "-\(address)" }
                var endpoint = Endpoint(
                    metadata: Metadata(name: DiscoveredUpstreams.resourceName(name), namespace: options.namespace, labels: labels),
                    upstreams: upstreams, address: address, port: UInt32(entry.service.port), datacenter: center)
                endpoint.hostname = hostname
                endpoint.healthStatus = .healthy
                if let weight { endpoint.loadBalancingWeight = UInt32(clamping: weight) }
                outcome.endpoints.append(endpoint)
            }
        }
        outcome.endpoints.sort { ($0.address, $0.port, $0.metadata.name) < ($1.address, $1.port, $1.metadata.name) }
        return outcome
    }
}

/// Whether text is an IPv4 or IPv6 address literal (Envoy's EDS takes only those).
enum IPAddressText {
    static func isLiteral(_ text: String) -> Bool {
        if text.contains(":") {
            return text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && text.filter { $0 == ":" }.count >= 2
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
