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
        _ upstream: Upstream, endpoints: [Endpoint], subsetSelectors: [[String]] = [], tls: inout TLSContexts
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
            locality.lbEndpoints = try hosts.hosts.enumerated().map { index, host in
                var endpoint = Self.lbEndpoint(address: host.addr, port: host.port)
                if let weight = host.loadBalancingWeight { endpoint.loadBalancingWeight = Google_Protobuf_UInt32Value(weight) }
                for (filter, value) in host.metadata.sorted(by: { $0.key < $1.key }) {
                    do {
                        endpoint.metadata.filterMetadata[filter] = try Google_Protobuf_Struct(jsonString: value.jsonText(pretty: false))
                    } catch {
                        throw TranslationFailure(fieldPath: "static.hosts[\(index)].metadata.\(filter)", reason: "must be an object")
                    }
                }
                return endpoint
            }
            if !locality.lbEndpoints.isEmpty { assignment.endpoints = [locality] }
            cluster.loadAssignment = assignment
        case .consul(let consul):
            cluster.clusterDiscoveryType = .type(.eds)
            cluster.edsClusterConfig.edsConfig.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
            cluster.edsClusterConfig.edsConfig.resourceApiVersion = .v3
            loadAssignment = Self.consulLoadAssignment(
                cluster.name, upstream: upstream, consul: consul, endpoints: endpoints, withSubsetLabels: !subsetSelectors.isEmpty)
            if !subsetSelectors.isEmpty {
                var subsets = Envoy_Config_Cluster_V3_Cluster.LbSubsetConfig()
                subsets.fallbackPolicy = .anyEndpoint
                subsets.subsetSelectors = subsetSelectors.map {
                    var selector = Envoy_Config_Cluster_V3_Cluster.LbSubsetConfig.LbSubsetSelector()
                    selector.keys = $0
                    return selector
                }
                cluster.lbSubsetConfig = subsets
            }
        case .nomad(let nomad):
            cluster.clusterDiscoveryType = .type(.eds)
            cluster.edsClusterConfig.edsConfig.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
            cluster.edsClusterConfig.edsConfig.resourceApiVersion = .v3
            // Instances of the Nomad namespace this Upstream names (discovery labels each with the one it asked in).
            let inNamespace = endpoints.filter { ($0.metadata.labels["nomad_namespace"] ?? "") == nomad.namespace }
            loadAssignment = Self.discoveredLoadAssignment(
                cluster.name, endpoints: inNamespace, datacenters: [], required: nomad.tags.map(Endpoint.tagLabel), excluded: [],
                withSubsetLabels: false)
        case .unsupported, nil:
            return nil
        }
        var httpOptions: Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions?
        if upstream.useHttp2 == true {
            var options = Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions()
            var http2 = Envoy_Config_Core_V3_Http2ProtocolOptions()
            if let streams = upstream.maxConcurrentStreams { http2.maxConcurrentStreams = Google_Protobuf_UInt32Value(streams) }
            // Envoy's bounds for window sizes (Gloo checks the same): 64 KiB - 1 up to 2 GiB - 1.
            for (name, size) in [("initialStreamWindowSize", upstream.initialStreamWindowSize),
                                 ("initialConnectionWindowSize", upstream.initialConnectionWindowSize)]
            {
                if let size, size < 65_535 || size > 2_147_483_647 {
                    throw TranslationFailure(fieldPath: name, reason: "\(size) is outside 65535...2147483647")
                }
            }
            if let size = upstream.initialStreamWindowSize { http2.initialStreamWindowSize = Google_Protobuf_UInt32Value(size) }
            if let size = upstream.initialConnectionWindowSize { http2.initialConnectionWindowSize = Google_Protobuf_UInt32Value(size) }
            if let override = upstream.overrideStreamErrorOnInvalidHttpMessage {
                http2.overrideStreamErrorOnInvalidHTTPMessage = Google_Protobuf_BoolValue(override)
            }
            options.explicitHTTPConfig.http2ProtocolOptions = http2
            httpOptions = options
        }
        if let breakers = upstream.circuitBreakers {
            var thresholds = Envoy_Config_Cluster_V3_CircuitBreakers.Thresholds()
            if let value = breakers.maxConnections { thresholds.maxConnections = Google_Protobuf_UInt32Value(value) }
            if let value = breakers.maxPendingRequests { thresholds.maxPendingRequests = Google_Protobuf_UInt32Value(value) }
            if let value = breakers.maxRequests { thresholds.maxRequests = Google_Protobuf_UInt32Value(value) }
            if let value = breakers.maxRetries { thresholds.maxRetries = Google_Protobuf_UInt32Value(value) }
            if breakers.trackRemaining == true { thresholds.trackRemaining = true }
            cluster.circuitBreakers.thresholds = [thresholds]
        }
        // Envoy 1.40 requires names on health checks when a cluster has several, and the v3 API
        // of our pinned xds-protos has no name field yet: the first one is served.
        // A custom checker (reported as ignored when decoded) is not served, nor one without a checker.
        cluster.healthChecks = upstream.healthChecks.prefix(1).compactMap { check in
            switch check.checker {
            case .customHealthCheck: return nil
            case nil:
                report(.warning, "healthChecks[0]", "has no httpHealthCheck, tcpHealthCheck or grpcHealthCheck; not served")
                return nil
            case .grpcHealthCheck? where upstream.useHttp2 != true:
                report(.warning, "healthChecks[0].grpcHealthCheck", "gRPC health checks need useHttp2: true; not served")
                return nil
            default: return ClusterOptions.healthCheck(check)
            }
        }
        if upstream.healthChecks.count > 1 {
            report(.warning, "healthChecks", "only the first health check is served; Envoy needs named health checks "
                + "to run several, which this Envoy API version cannot express")
        }
        if let outlier = upstream.outlierDetection { cluster.outlierDetection = ClusterOptions.outlierDetection(outlier) }
        if let balancing = upstream.loadBalancerConfig { try ClusterOptions.applyLoadBalancing(balancing, to: &cluster) }
        if let connection = upstream.connectionConfig { try ClusterOptions.applyConnection(connection, to: &cluster, http: &httpOptions) }
        if upstream.ignoreHealthOnHostRemoval == true { cluster.ignoreHealthOnHostRemoval = true }
        if let preconnect = upstream.preconnectPolicy {
            // Envoy's bounds: 1 to 3 per upstream, 1 to 3 predictive.
            for (name, ratio) in [("perUpstreamPreconnectRatio", preconnect.perUpstreamPreconnectRatio),
                                  ("predictivePreconnectRatio", preconnect.predictivePreconnectRatio)]
            {
                if let ratio, !(1...3).contains(ratio) {
                    throw TranslationFailure(fieldPath: "preconnectPolicy.\(name)", reason: "\(ratio) is outside 1...3")
                }
            }
            if let ratio = preconnect.perUpstreamPreconnectRatio {
                cluster.preconnectPolicy.perUpstreamPreconnectRatio = Google_Protobuf_DoubleValue(ratio)
            }
            if let ratio = preconnect.predictivePreconnectRatio {
                cluster.preconnectPolicy.predictivePreconnectRatio = Google_Protobuf_DoubleValue(ratio)
            }
        }
        if upstream.respectDnsTtl == true { cluster.respectDnsTtl = true }
        if let rate = upstream.dnsRefreshRate { cluster.dnsRefreshRate = Self.duration(rate) }
        try applyTLS(upstream, to: &cluster, http: &httpOptions, tls: &tls)
        if let version = upstream.proxyProtocolVersion, !version.isEmpty {
            cluster.transportSocket = try Self.proxyProtocol(version, around: cluster.hasTransportSocket ? cluster.transportSocket : nil)
        }
        if let httpOptions {
            cluster.typedExtensionProtocolOptions[Self.http2OptionsKey] = try Google_Protobuf_Any(message: httpOptions)
        }
        return (cluster, loadAssignment)
    }

    /// Upstream TLS from `sslConfig`, or from `static.useTls` (SNI from the host), with
    static let upstreamProxyProtocol = "envoy.transport_sockets.upstream_proxy_protocol"

    /// Gloo's `proxyProtocolVersion`: Envoy's upstream PROXY protocol socket around the cluster's
    /// own (a raw buffer when it has none).
    static func proxyProtocol(
        _ version: String, around inner: Envoy_Config_Core_V3_TransportSocket?
    ) throws -> Envoy_Config_Core_V3_TransportSocket {
        var wrapper = Envoy_Extensions_TransportSockets_ProxyProtocol_V3_ProxyProtocolUpstreamTransport()
        switch version.uppercased() {
        case "V1": wrapper.config.version = .v1
        case "V2": wrapper.config.version = .v2
        default: throw TranslationFailure(fieldPath: "proxyProtocolVersion", reason: "proxy protocol version \(version) is not supported (V1 or V2)")
        }
        if let inner {
            wrapper.transportSocket = inner
        } else {
            wrapper.transportSocket.name = "envoy.transport_sockets.raw_buffer"
            wrapper.transportSocket.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_TransportSockets_RawBuffer_V3_RawBuffer())
        }
        var socket = Envoy_Config_Core_V3_TransportSocket()
        socket.name = upstreamProxyProtocol
        socket.typedConfig = try Google_Protobuf_Any(message: wrapper)
        return socket
    }

    /// `autoSniRewrite` letting Envoy take SNI from the Host header.
    private func applyTLS(
        _ upstream: Upstream, to cluster: inout Envoy_Config_Cluster_V3_Cluster,
        http: inout Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions?, tls: inout TLSContexts
    ) throws {
        var staticHosts: StaticUpstream?
        if case .static(let hosts) = upstream.upstreamType { staticHosts = hosts }
        guard upstream.sslConfig != nil || staticHosts?.useTls == true else { return }
        var context = Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext()
        if let ssl = upstream.sslConfig {
            do {
                context.commonTlsContext = try tls.common(
                    source: ssl.source, parameters: ssl.parameters, alpn: ssl.alpnProtocols,
                    verifySubjectAltName: ssl.verifySubjectAltName, namespace: upstream.metadata.namespace,
                    needsCertificate: false, oneWay: ssl.oneWayTls == true)
            } catch {
                throw TranslationFailure(fieldPath: "sslConfig", reason: error.description)
            }
            context.sni = ssl.sni
            if ssl.allowRenegotiation == true { context.allowRenegotiation = true }
        }
        if context.sni.isEmpty, let host = staticHosts?.hosts.first {
            let name = host.sniAddr.isEmpty ? host.addr : host.sniAddr
            if !Self.isIPAddress(name) { context.sni = name }
        }
        cluster.transportSocket = try TLSContexts.transportSocket(context)
        if staticHosts?.autoSniRewrite == true {
            var options = http ?? Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions()
            options.upstreamHTTPProtocolOptions.autoSni = true
            if options.upstreamProtocolOptions == nil {
                options.explicitHTTPConfig.httpProtocolOptions = Envoy_Config_Core_V3_Http1ProtocolOptions()
            }
            http = options
        }
    }

    /// The endpoints of a Consul upstream (`endpoints` are already its own): filtered by datacenter, `instanceTags` and
    /// `instanceBlacklistTags` (which Gloo ignored in EDS), grouped into one locality per
    /// datacenter, each with its health, weight and (when routes select subsets) Gloo's
    /// `tag_*`/`dc_*` subset labels ("1" or "0" for every label the service's instances use).
    static func consulLoadAssignment(
        _ clusterName: String, upstream: Upstream, consul: ConsulUpstream, endpoints: [Endpoint], withSubsetLabels: Bool
    ) -> Envoy_Config_Endpoint_V3_ClusterLoadAssignment {
        discoveredLoadAssignment(
            clusterName, endpoints: endpoints, datacenters: consul.dataCenters, required: consul.instanceTags.map(Endpoint.tagLabel),
            excluded: consul.instanceBlacklistTags.map(Endpoint.tagLabel), withSubsetLabels: withSubsetLabels)
    }

    /// The load assignment of discovered endpoints (Consul or Nomad): those in `datacenters`
    /// (empty: all) carrying every `required` label and none of the `excluded` ones, one locality
    /// per datacenter.
    static func discoveredLoadAssignment(
        _ clusterName: String, endpoints: [Endpoint], datacenters: [String], required: [String], excluded: [String],
        withSubsetLabels: Bool
    ) -> Envoy_Config_Endpoint_V3_ClusterLoadAssignment {
        let mine = endpoints.filter { endpoint in
            (datacenters.isEmpty || datacenters.contains(endpoint.datacenter))
                && required.allSatisfy { endpoint.metadata.labels[$0] == "1" }
                && !excluded.contains { endpoint.metadata.labels[$0] == "1" }
        }
        // Subset labels matter only to Envoy's subset load balancer: without selectors they would
        // only make every load assignment bigger.
        let labelKeys = withSubsetLabels
            ? Set(mine.flatMap { $0.metadata.labels.keys.filter { $0.hasPrefix("tag_") || $0.hasPrefix("dc_") } }) : []
        var assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment()
        assignment.clusterName = clusterName
        let byDatacenter = Dictionary(grouping: mine, by: \.datacenter)
        for datacenter in byDatacenter.keys.sorted() {
            var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
            if !datacenter.isEmpty { locality.locality.zone = datacenter }
            locality.lbEndpoints = byDatacenter[datacenter]!.sorted { ($0.address, $0.port) < ($1.address, $1.port) }.map { endpoint in
                var lbEndpoint = lbEndpoint(address: endpoint.address, port: endpoint.port)
                if let weight = endpoint.loadBalancingWeight { lbEndpoint.loadBalancingWeight = Google_Protobuf_UInt32Value(weight) }
                switch endpoint.healthStatus {
                case .healthy, nil: lbEndpoint.healthStatus = .healthy
                case .degraded: lbEndpoint.healthStatus = .degraded
                case .unhealthy: lbEndpoint.healthStatus = .unhealthy
                case .draining: lbEndpoint.healthStatus = .draining
                }
                if !labelKeys.isEmpty {
                    lbEndpoint.metadata = SubsetPlan.lbMetadata(Dictionary(uniqueKeysWithValues: labelKeys.map {
                        ($0, endpoint.metadata.labels[$0] == "1" ? "1" : "0")
                    }))
                }
                if !endpoint.hostname.isEmpty { lbEndpoint.endpoint.hostname = endpoint.hostname }
                return lbEndpoint
            }
            assignment.endpoints.append(locality)
        }
        return assignment
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

/// A resource that cannot be translated, with the field to blame.
struct TranslationFailure: Error, CustomStringConvertible {
    var fieldPath: String
    var reason: String
    var description: String { reason }
}
