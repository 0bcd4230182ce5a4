import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Gloo's tracing plugin: the connection manager's tracing (sampling, custom tags, the Zipkin or
/// OpenTelemetry collector as an Upstream's cluster or a cluster by name) and a route's
/// (operation name, sampling). Failures name the field under the settings.
enum TracingConfigs {
    typealias Tracing = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.Tracing

    /// `clusterOf` gives an Upstream's cluster, nil when there is no such Upstream.
    static func tracing(
        _ settings: ListenerTracingSettings, gatewayName: String, clusterOf: (ResourceRef) -> String?
    ) throws(TranslationFailure) -> Tracing {
        let field = "httpGateway.options.httpConnectionManagerSettings.tracing"
        var tracing = Tracing()
        tracing.verbose = settings.verbose ?? false
        let percentages = settings.tracePercentages
        tracing.clientSampling = percent(percentages?.clientSamplePercentage)
        tracing.randomSampling = percent(percentages?.randomSamplePercentage)
        tracing.overallSampling = percent(percentages?.overallSamplePercentage)
        tracing.spawnUpstreamSpan = Google_Protobuf_BoolValue(settings.spawnUpstreamSpan ?? false)
        for header in settings.requestHeadersForTags {
            var tag = Envoy_Type_Tracing_V3_CustomTag()
            tag.tag = header
            tag.requestHeader.name = header
            tracing.customTags.append(tag)
        }
        for variable in settings.environmentVariablesForTags {
            var tag = Envoy_Type_Tracing_V3_CustomTag()
            tag.tag = variable.tag
            tag.environment.name = variable.name
            tag.environment.defaultValue = variable.defaultValue ?? ""
            tracing.customTags.append(tag)
        }
        for literal in settings.literalsForTags {
            var tag = Envoy_Type_Tracing_V3_CustomTag()
            tag.tag = literal.tag
            tag.literal.value = literal.value
            tracing.customTags.append(tag)
        }
        func collector(_ ref: ResourceRef?, _ name: String?, _ path: String) throws(TranslationFailure) -> String {
            if let ref {
                guard let cluster = clusterOf(ref) else {
                    throw TranslationFailure(fieldPath: "\(field).\(path).collectorUpstreamRef", reason: "Upstream \(ref) not found")
                }
                return cluster
            }
            guard let name, !name.isEmpty else {
                throw TranslationFailure(fieldPath: "\(field).\(path)", reason: "names no collectorUpstreamRef or clusterName")
            }
            return name
        }
        do {
            switch settings.providerConfig {
            case .zipkinConfig(let zipkin)?:
                var config = Envoy_Config_Trace_V3_ZipkinConfig()
                config.collectorCluster = try collector(zipkin.collectorUpstreamRef, zipkin.clusterName, "zipkinConfig")
                config.collectorEndpoint = zipkin.collectorEndpoint
                config.traceID128Bit = zipkin.traceId128bit ?? false
                if let shared = zipkin.sharedSpanContext { config.sharedSpanContext = Google_Protobuf_BoolValue(shared) }
                // Gloo sends JSON unless HTTP_PROTO is asked for (unset and the deprecated value too).
                config.collectorEndpointVersion = zipkin.collectorEndpointVersion == .httpProto ? .httpProto : .httpJson
                tracing.provider.name = "envoy.tracers.zipkin"
                tracing.provider.typedConfig = try Google_Protobuf_Any(message: config)
            case .openTelemetryConfig(let otel)?:
                var config = Envoy_Config_Trace_V3_OpenTelemetryConfig()
                config.grpcService.envoyGrpc.clusterName = try collector(otel.collectorUpstreamRef, otel.clusterName, "openTelemetryConfig")
                if let authority = otel.grpcService?.authority, !authority.isEmpty { config.grpcService.envoyGrpc.authority = authority }
                config.serviceName = otel.serviceName.isEmpty ? gatewayName : otel.serviceName
                if let size = otel.maxCacheSize { config.maxCacheSize = Google_Protobuf_UInt32Value(size) }
                tracing.provider.name = "envoy.tracers.opentelemetry"
                tracing.provider.typedConfig = try Google_Protobuf_Any(message: config)
            case .datadogConfig?, .openCensusConfig?, nil:
                break
            }
        } catch let failure as TranslationFailure {
            throw failure
        } catch {
            throw TranslationFailure(fieldPath: field, reason: "cannot be encoded: \(error)")
        }
        return tracing
    }

    /// A route's tracing: sampling (100 % unless set) and its operation name.
    static func apply(_ settings: RouteTracingSettings, to route: inout Envoy_Config_Route_V3_Route) throws(TranslationFailure) {
        let percentages = settings.tracePercentages
        route.tracing.clientSampling = try HttpFilterConfigs.percentage(
            percentages?.clientSamplePercentage ?? 100, field: "options.tracing.tracePercentages.clientSamplePercentage")
        route.tracing.randomSampling = try HttpFilterConfigs.percentage(
            percentages?.randomSamplePercentage ?? 100, field: "options.tracing.tracePercentages.randomSamplePercentage")
        route.tracing.overallSampling = try HttpFilterConfigs.percentage(
            percentages?.overallSamplePercentage ?? 100, field: "options.tracing.tracePercentages.overallSamplePercentage")
        if !settings.routeDescriptor.isEmpty {
            route.decorator.operation = settings.routeDescriptor
            if let propagate = settings.propagate { route.decorator.propagate = Google_Protobuf_BoolValue(propagate) }
        }
    }

    private static func percent(_ value: Double?) -> Envoy_Type_V3_Percent {
        var percent = Envoy_Type_V3_Percent()
        percent.value = value ?? 100
        return percent
    }
}
