import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf

/// Upstream settings on Envoy clusters: health checks, outlier detection, load balancing and
/// connection options.
enum ClusterOptions {
    typealias UInt32Wrapper = Google_Protobuf_UInt32Value

    static let requestMethods: [String: Envoy_Config_Core_V3_RequestMethod] = [
        "GET": .get, "HEAD": .head, "POST": .post, "PUT": .put, "DELETE": .delete, "CONNECT": .connect,
        "OPTIONS": .options, "TRACE": .trace, "PATCH": .patch,
    ]

    static func healthCheck(_ check: HealthCheck) -> Envoy_Config_Core_V3_HealthCheck {
        var envoy = Envoy_Config_Core_V3_HealthCheck()
        envoy.timeout = ClusterTranslator.duration(check.timeout ?? ProtoDuration(seconds: 1))
        envoy.interval = ClusterTranslator.duration(check.interval ?? ProtoDuration(seconds: 10))
        if let value = check.initialJitter { envoy.initialJitter = ClusterTranslator.duration(value) }
        if let value = check.intervalJitter { envoy.intervalJitter = ClusterTranslator.duration(value) }
        if let value = check.intervalJitterPercent { envoy.intervalJitterPercent = value }
        envoy.unhealthyThreshold = UInt32Wrapper(check.unhealthyThreshold ?? 2)
        envoy.healthyThreshold = UInt32Wrapper(check.healthyThreshold ?? 1)
        if let value = check.altPort { envoy.altPort = UInt32Wrapper(value) }
        if let value = check.reuseConnection { envoy.reuseConnection = Google_Protobuf_BoolValue(value) }
        if let value = check.noTrafficInterval { envoy.noTrafficInterval = ClusterTranslator.duration(value) }
        if let value = check.unhealthyInterval { envoy.unhealthyInterval = ClusterTranslator.duration(value) }
        if let value = check.unhealthyEdgeInterval { envoy.unhealthyEdgeInterval = ClusterTranslator.duration(value) }
        if let value = check.healthyEdgeInterval { envoy.healthyEdgeInterval = ClusterTranslator.duration(value) }
        envoy.eventLogPath = check.eventLogPath
        envoy.alwaysLogHealthCheckFailures = check.alwaysLogHealthCheckFailures
        if let tls = check.tlsOptions { envoy.tlsOptions.alpnProtocols = tls.alpnProtocols }
        switch check.checker {
        case .httpHealthCheck(let http):
            var envoyHTTP = Envoy_Config_Core_V3_HealthCheck.HttpHealthCheck()
            envoyHTTP.host = http.host
            envoyHTTP.path = http.path.isEmpty ? "/" : http.path
            envoyHTTP.requestHeadersToAdd = EnvoyRouteBuilder.headerOptions(http.requestHeadersToAdd)
            envoyHTTP.requestHeadersToRemove = http.requestHeadersToRemove
            envoyHTTP.expectedStatuses = http.expectedStatuses.map {
                var range = Envoy_Type_V3_Int64Range()
                range.start = $0.start
                range.end = $0.end
                return range
            }
            if http.useHttp2 || http.codecClientType == "HTTP2" { envoyHTTP.codecClientType = .http2 }
            if let method = requestMethods[http.method.uppercased()] { envoyHTTP.method = method }
            envoy.httpHealthCheck = envoyHTTP
        case .tcpHealthCheck(let tcp):
            var envoyTCP = Envoy_Config_Core_V3_HealthCheck.TcpHealthCheck()
            if let send = tcp.send { envoyTCP.send = payload(send) }
            envoyTCP.receive = tcp.receive.map(payload)
            envoy.tcpHealthCheck = envoyTCP
        case .grpcHealthCheck(let grpc):
            var envoyGRPC = Envoy_Config_Core_V3_HealthCheck.GrpcHealthCheck()
            envoyGRPC.serviceName = grpc.serviceName
            envoyGRPC.authority = grpc.authority
            envoyGRPC.initialMetadata = EnvoyRouteBuilder.headerOptions(grpc.initialMetadata)
            envoy.grpcHealthCheck = envoyGRPC
        case .customHealthCheck, nil:
            // Not served (the cluster translation leaves such checks out).
            envoy.tcpHealthCheck = Envoy_Config_Core_V3_HealthCheck.TcpHealthCheck()
        }
        return envoy
    }

    private static func payload(_ payload: HealthCheckPayload) -> Envoy_Config_Core_V3_HealthCheck.Payload {
        var envoy = Envoy_Config_Core_V3_HealthCheck.Payload()
        if let text = payload.text {
            envoy.text = text
        } else if let binary = payload.binary, let bytes = Data(base64Encoded: binary) {
            envoy.binary = bytes
        }
        return envoy
    }

    static func outlierDetection(_ outlier: OutlierDetection) -> Envoy_Config_Cluster_V3_OutlierDetection {
        var envoy = Envoy_Config_Cluster_V3_OutlierDetection()
        func set(_ value: UInt32?, _ keyPath: WritableKeyPath<Envoy_Config_Cluster_V3_OutlierDetection, UInt32Wrapper>) {
            if let value { envoy[keyPath: keyPath] = UInt32Wrapper(value) }
        }
        set(outlier.consecutive5xx, \.consecutive5Xx)
        set(outlier.maxEjectionPercent, \.maxEjectionPercent)
        set(outlier.enforcingConsecutive5xx, \.enforcingConsecutive5Xx)
        set(outlier.enforcingSuccessRate, \.enforcingSuccessRate)
        set(outlier.successRateMinimumHosts, \.successRateMinimumHosts)
        set(outlier.successRateRequestVolume, \.successRateRequestVolume)
        set(outlier.successRateStdevFactor, \.successRateStdevFactor)
        set(outlier.consecutiveGatewayFailure, \.consecutiveGatewayFailure)
        set(outlier.enforcingConsecutiveGatewayFailure, \.enforcingConsecutiveGatewayFailure)
        set(outlier.consecutiveLocalOriginFailure, \.consecutiveLocalOriginFailure)
        set(outlier.enforcingConsecutiveLocalOriginFailure, \.enforcingConsecutiveLocalOriginFailure)
        set(outlier.enforcingLocalOriginSuccessRate, \.enforcingLocalOriginSuccessRate)
        set(outlier.failurePercentageThreshold, \.failurePercentageThreshold)
        set(outlier.enforcingFailurePercentage, \.enforcingFailurePercentage)
        set(outlier.enforcingFailurePercentageLocalOrigin, \.enforcingFailurePercentageLocalOrigin)
        set(outlier.failurePercentageMinimumHosts, \.failurePercentageMinimumHosts)
        set(outlier.failurePercentageRequestVolume, \.failurePercentageRequestVolume)
        if let value = outlier.interval { envoy.interval = ClusterTranslator.duration(value) }
        if let value = outlier.baseEjectionTime { envoy.baseEjectionTime = ClusterTranslator.duration(value) }
        if let value = outlier.maxEjectionTime { envoy.maxEjectionTime = ClusterTranslator.duration(value) }
        envoy.splitExternalLocalOriginErrors = outlier.splitExternalLocalOriginErrors
        return envoy
    }

    static func applyLoadBalancing(_ config: LoadBalancerConfig, to cluster: inout Envoy_Config_Cluster_V3_Cluster) throws {
        if let threshold = config.healthyPanicThreshold {
            cluster.commonLbConfig.healthyPanicThreshold.value = threshold
        }
        if let window = config.updateMergeWindow { cluster.commonLbConfig.updateMergeWindow = ClusterTranslator.duration(window) }
        if config.closeConnectionsOnHostSetChange == true { cluster.commonLbConfig.closeConnectionsOnHostSetChange = true }
        if config.useHostnameForHashing == true {
            // Envoy refuses it on any other cluster type (the whole CDS update would be NACKed).
            guard cluster.clusterDiscoveryType == .type(.strictDns) else {
                throw TranslationFailure(fieldPath: "loadBalancerConfig.useHostnameForHashing",
                                         reason: "needs static hosts named by DNS (Envoy hashes on host names only for STRICT_DNS)")
            }
            cluster.commonLbConfig.consistentHashingLbConfig.useHostnameForHashing = true
        }
        if config.localityWeightedLbConfig != nil {
            cluster.commonLbConfig.localityWeightedLbConfig = Envoy_Config_Cluster_V3_Cluster.CommonLbConfig.LocalityWeightedLbConfig()
        }
        switch config.policy {
        case .roundRobin(let roundRobin):
            cluster.lbPolicy = .roundRobin
            if let slowStart = roundRobin.slowStartConfig {
                var envoy = Envoy_Config_Cluster_V3_Cluster.RoundRobinLbConfig()
                envoy.slowStartConfig = Self.slowStart(slowStart)
                cluster.roundRobinLbConfig = envoy
            }
        case .leastRequest(let leastRequest):
            cluster.lbPolicy = .leastRequest
            var envoy = Envoy_Config_Cluster_V3_Cluster.LeastRequestLbConfig()
            if let choices = leastRequest.choiceCount { envoy.choiceCount = UInt32Wrapper(choices) }
            if let slowStart = leastRequest.slowStartConfig { envoy.slowStartConfig = Self.slowStart(slowStart) }
            cluster.leastRequestLbConfig = envoy
        case .random:
            cluster.lbPolicy = .random
        case .ringHash(let ringHash):
            cluster.lbPolicy = .ringHash
            var envoy = Envoy_Config_Cluster_V3_Cluster.RingHashLbConfig()
            if let minimum = ringHash.ringHashConfig?.minimumRingSize { envoy.minimumRingSize = Google_Protobuf_UInt64Value(minimum) }
            if let maximum = ringHash.ringHashConfig?.maximumRingSize { envoy.maximumRingSize = Google_Protobuf_UInt64Value(maximum) }
            cluster.ringHashLbConfig = envoy
        case .maglev:
            cluster.lbPolicy = .maglev
        case nil:
            break
        }
    }

    private static func slowStart(_ config: SlowStartConfig) -> Envoy_Config_Cluster_V3_Cluster.SlowStartConfig {
        var envoy = Envoy_Config_Cluster_V3_Cluster.SlowStartConfig()
        if let window = config.slowStartWindow { envoy.slowStartWindow = ClusterTranslator.duration(window) }
        if let aggression = config.aggression {
            envoy.aggression.defaultValue = aggression
            envoy.aggression.runtimeKey = "upstream.slow_start.aggression"
        }
        if let percent = config.minWeightPercent { envoy.minWeightPercent.value = percent }
        return envoy
    }

    /// TCP options on the cluster; HTTP options go into the protocol options `Any`.
    static func applyConnection(
        _ config: ConnectionConfig, to cluster: inout Envoy_Config_Cluster_V3_Cluster,
        http: inout Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions?
    ) throws {
        if let limit = config.perConnectionBufferLimitBytes { cluster.perConnectionBufferLimitBytes = UInt32Wrapper(limit) }
        if let keepalive = config.tcpKeepalive {
            var envoy = Envoy_Config_Core_V3_TcpKeepalive()
            if let probes = keepalive.keepaliveProbes { envoy.keepaliveProbes = UInt32Wrapper(probes) }
            if let time = keepalive.keepaliveTime { envoy.keepaliveTime = UInt32Wrapper(UInt32(clamping: time.seconds)) }
            if let interval = keepalive.keepaliveInterval { envoy.keepaliveInterval = UInt32Wrapper(UInt32(clamping: interval.seconds)) }
            cluster.upstreamConnectionOptions.tcpKeepalive = envoy
        }
        var common = Envoy_Config_Core_V3_HttpProtocolOptions()
        var touched = false
        if let maximum = config.maxRequestsPerConnection {
            common.maxRequestsPerConnection = UInt32Wrapper(maximum)
            touched = true
        }
        if let options = config.commonHttpProtocolOptions {
            if let idle = options.idleTimeout { common.idleTimeout = ClusterTranslator.duration(idle) }
            if let count = options.maxHeadersCount { common.maxHeadersCount = UInt32Wrapper(count) }
            if let duration = options.maxStreamDuration { common.maxStreamDuration = ClusterTranslator.duration(duration) }
            switch options.headersWithUnderscoresAction {
            case nil, "", "ALLOW": break
            case "REJECT_REQUEST": common.headersWithUnderscoresAction = .rejectRequest
            case "DROP_HEADER": common.headersWithUnderscoresAction = .dropHeader
            case let other?:
                throw TranslationFailure(
                    fieldPath: "connectionConfig.commonHttpProtocolOptions.headersWithUnderscoresAction",
                    reason: "'\(other)' is not one of ALLOW, REJECT_REQUEST, DROP_HEADER")
            }
            touched = true
        }
        let http1 = try config.http1ProtocolOptions.map(http1Options)
        if touched || http1 != nil {
            var options = http ?? Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions()
            if touched { options.commonHTTPProtocolOptions = common }
            var explicitHTTP1 = false
            if case .explicitHTTPConfig(let explicit)? = options.upstreamProtocolOptions,
               case .httpProtocolOptions? = explicit.protocolConfig { explicitHTTP1 = true }
            if let http1, options.upstreamProtocolOptions == nil || explicitHTTP1 {
                options.explicitHTTPConfig.httpProtocolOptions = http1
            } else if options.upstreamProtocolOptions == nil {
                options.explicitHTTPConfig.httpProtocolOptions = Envoy_Config_Core_V3_Http1ProtocolOptions()
            }
            http = options
        }
    }

    /// Gloo's HTTP/1 options: trailers, the invalid-message override, header case (proper
    /// case, or preserved with Envoy's stateful formatter).
    static func http1Options(_ options: Http1ProtocolOptions) throws -> Envoy_Config_Core_V3_Http1ProtocolOptions {
        var envoy = Envoy_Config_Core_V3_Http1ProtocolOptions()
        if options.enableTrailers == true { envoy.enableTrailers = true }
        if let override = options.overrideStreamErrorOnInvalidHttpMessage {
            envoy.overrideStreamErrorOnInvalidHTTPMessage = Google_Protobuf_BoolValue(override)
        }
        if options.properCaseHeaderKeyFormat == true {
            envoy.headerKeyFormat.properCaseWords = Envoy_Config_Core_V3_Http1ProtocolOptions.HeaderKeyFormat.ProperCaseWords()
        } else if options.preserveCaseHeaderKeyFormat == true {
            var formatter = Envoy_Config_Core_V3_TypedExtensionConfig()
            formatter.name = "envoy.http.stateful_header_formatters.preserve_case"
            formatter.typedConfig = try Google_Protobuf_Any(
                message: Envoy_Extensions_Http_HeaderFormatters_PreserveCase_V3_PreserveCaseFormatterConfig())
            envoy.headerKeyFormat.statefulFormatter = formatter
        }
        return envoy
    }
}
