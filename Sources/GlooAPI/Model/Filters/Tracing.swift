/// Tracing at the connection manager (`httpConnectionManagerSettings.tracing`, Gloo's
/// ListenerTracingSettings): sampling, tags, and the collector (Zipkin or OpenTelemetry).
public struct ListenerTracingSettings: Hashable, Sendable, Codable {
    public var requestHeadersForTags: [String]
    public var verbose: Bool?
    public var tracePercentages: TracePercentages?
    public var providerConfig: TracingProvider?
    public var environmentVariablesForTags: [TracingTagEnvironmentVariable]
    public var literalsForTags: [TracingTagLiteral]
    public var metadataForTags: IgnoredOption?
    public var spawnUpstreamSpan: Bool?
}

/// The `provider_config` oneof: the collectors upstream Envoy has tracers for are served;
/// Datadog and OpenCensus are ignored with a warning (traces are not sent).
public indirect enum TracingProvider: OneOf {
    case zipkinConfig(ZipkinTracing)
    case openTelemetryConfig(OpenTelemetryTracing)
    case datadogConfig(IgnoredOption)
    case openCensusConfig(IgnoredOption)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["zipkinConfig", "openTelemetryConfig", "datadogConfig", "openCensusConfig"])
        switch reader.name {
        case "zipkinConfig": self = .zipkinConfig(try reader.decode())
        case "openTelemetryConfig": self = .openTelemetryConfig(try reader.decode())
        case "datadogConfig": self = .datadogConfig(try reader.decode())
        default: self = .openCensusConfig(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .zipkinConfig(let value): try encoder.encodeOneOf("zipkinConfig", value)
        case .openTelemetryConfig(let value): try encoder.encodeOneOf("openTelemetryConfig", value)
        case .datadogConfig(let value): try encoder.encodeOneOf("datadogConfig", value)
        case .openCensusConfig(let value): try encoder.encodeOneOf("openCensusConfig", value)
        }
    }
}

/// Spans to a Zipkin collector: an Upstream (`collectorUpstreamRef`) or a cluster by name.
public struct ZipkinTracing: Hashable, Sendable, Codable {
    public enum EndpointVersion: String, ProtoEnum {
        case deprecated = "DEPRECATED_AND_UNAVAILABLE_DO_NOT_USE"
        case httpJson = "HTTP_JSON"
        case httpProto = "HTTP_PROTO"
    }

    public var collectorUpstreamRef: ResourceRef?
    public var clusterName: String?
    public var collectorEndpoint: String
    public var traceId128bit: Bool?
    public var sharedSpanContext: Bool?
    public var collectorEndpointVersion: EndpointVersion?
}

/// Spans to an OpenTelemetry collector over gRPC.
public struct OpenTelemetryTracing: Hashable, Sendable, Codable {
    public var collectorUpstreamRef: ResourceRef?
    public var clusterName: String?
    /// Defaults to the Gateway's name, as in Gloo.
    public var serviceName: String
    public var grpcService: TracingGrpcService?
    public var maxCacheSize: UInt32?
}

/// The `:authority` the OpenTelemetry gRPC stream is sent with.
public struct TracingGrpcService: Hashable, Sendable, Codable {
    public var authority: String
}

/// Percentages (0-100) of requests traced: forced by the client, sampled at random, overall.
public struct TracePercentages: Hashable, Sendable, Codable {
    public var clientSamplePercentage: Double?
    public var randomSamplePercentage: Double?
    public var overallSamplePercentage: Double?
}

/// A span tag taken from an environment variable of Envoy.
public struct TracingTagEnvironmentVariable: Hashable, Sendable, Codable {
    public var tag: String
    public var name: String
    public var defaultValue: String?
}

/// A span tag with a fixed value.
public struct TracingTagLiteral: Hashable, Sendable, Codable {
    public var tag: String
    public var value: String
}

/// A route's tracing (`options.tracing`): its operation name, its own sampling, and whether the
/// name is propagated upstream.
public struct RouteTracingSettings: Hashable, Sendable, Codable {
    public var routeDescriptor: String
    public var tracePercentages: TracePercentages?
    public var propagate: Bool?
}
