import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf

/// Upstreams to Envoy clusters: static hosts become STATIC (all IPs) or STRICT_DNS clusters with
/// their weights; Consul upstreams become EDS clusters fed by discovered endpoints.
struct ClusterTranslator {
    var report: (Severity, String, String) -> Void

    static let defaultConnectTimeout = Google_Protobuf_Duration(seconds: 5)
    static let http2OptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"

    /// The cluster (and for EDS clusters, the load assignment) of one Upstream.
    func translate(
        _ upstream: Upstream, endpoints: [Endpoint]
    ) throws -> (Envoy_Config_Cluster_V3_Cluster, Envoy_Config_Endpoint_V3_ClusterLoadAssignment?)? {
        var cluster = Envoy_Config_Cluster_V3_Cluster()
        cluster.name = EnvoyNames.cluster(upstream.ref)
        cluster.connectTimeout = upstream.connectionConfig?.connectTimeout.map(Self.duration) ?? Self.defaultConnectTimeout
        var loadAssignment: Envoy_Config_Endpoint_V3_ClusterLoadAssignment?
        switch upstream.upstreamType {
        case .static(let hosts):
            let allIPs = hosts.hosts.allSatisfy { Self.isIPAddress($0.addr) }
            cluster.clusterDiscoveryType = .type(allIPs ? .static : .strictDns)
            var assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment()
            assignment.clusterName = cluster.name
            var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
            locality.lbEndpoints = hosts.hosts.map { host in
                var endpoint = Self.lbEndpoint(address: host.addr, port: host.port)
                if let weight = host.loadBalancingWeight { endpoint.loadBalancingWeight = Google_Protobuf_UInt32Value(weight) }
                return endpoint
            }
            if !locality.lbEndpoints.isEmpty { assignment.endpoints = [locality] }
            cluster.loadAssignment = assignment
            if hosts.useTls == true { report(.warning, "static.useTls", "upstream TLS is not translated yet; connecting in plaintext") }
        case .consul:
            cluster.clusterDiscoveryType = .type(.eds)
            cluster.edsClusterConfig.edsConfig.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
            cluster.edsClusterConfig.edsConfig.resourceApiVersion = .v3
            var assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment()
            assignment.clusterName = cluster.name
            let mine = endpoints.filter { $0.upstreams.contains(upstream.ref) }.sorted { ($0.address, $0.port) < ($1.address, $1.port) }
            if !mine.isEmpty {
                var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
                locality.lbEndpoints = mine.map { endpoint in
                    var lbEndpoint = Self.lbEndpoint(address: endpoint.address, port: endpoint.port)
                    if let weight = endpoint.loadBalancingWeight { lbEndpoint.loadBalancingWeight = Google_Protobuf_UInt32Value(weight) }
                    return lbEndpoint
                }
                assignment.endpoints = [locality]
            }
            loadAssignment = assignment
        case .unsupported, nil:
            return nil
        }
        if upstream.useHttp2 == true {
            var options = Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions()
            options.explicitHTTPConfig.http2ProtocolOptions = Envoy_Config_Core_V3_Http2ProtocolOptions()
            cluster.typedExtensionProtocolOptions[Self.http2OptionsKey] = try Google_Protobuf_Any(message: options)
        }
        if let breakers = upstream.circuitBreakers {
            var thresholds = Envoy_Config_Cluster_V3_CircuitBreakers.Thresholds()
            if let value = breakers.maxConnections { thresholds.maxConnections = Google_Protobuf_UInt32Value(value) }
            if let value = breakers.maxPendingRequests { thresholds.maxPendingRequests = Google_Protobuf_UInt32Value(value) }
            if let value = breakers.maxRequests { thresholds.maxRequests = Google_Protobuf_UInt32Value(value) }
            if let value = breakers.maxRetries { thresholds.maxRetries = Google_Protobuf_UInt32Value(value) }
            cluster.circuitBreakers.thresholds = [thresholds]
        }
        reportUntranslated(upstream)
        return (cluster, loadAssignment)
    }

    private func reportUntranslated(_ upstream: Upstream) {
        let fields: [(String, Bool)] = [
            ("sslConfig", upstream.sslConfig != nil), ("healthChecks", !upstream.healthChecks.isEmpty),
            ("outlierDetection", upstream.outlierDetection != nil), ("loadBalancerConfig", upstream.loadBalancerConfig != nil),
        ]
        for (field, present) in fields where present {
            report(.warning, field, "not translated yet by gloo-hashi; the cluster is served without it")
        }
    }

    static func lbEndpoint(address: String, port: UInt32) -> Envoy_Config_Endpoint_V3_LbEndpoint {
        var endpoint = Envoy_Config_Endpoint_V3_LbEndpoint()
        endpoint.endpoint.address.socketAddress.address = address
        endpoint.endpoint.address.socketAddress.portValue = port
        return endpoint
    }

    static func duration(_ duration: ProtoDuration) -> Google_Protobuf_Duration {
        Google_Protobuf_Duration(seconds: duration.seconds, nanos: duration.nanos)
    }

    /// Whether `text` is an IPv4 or IPv6 literal (Envoy STATIC clusters need one).
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
