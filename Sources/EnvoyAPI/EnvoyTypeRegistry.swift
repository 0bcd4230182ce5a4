import SwiftProtobuf

/// The Envoy message types that travel inside `google.protobuf.Any` in gloo-hashi's resources,
/// registered so `Any` fields can be written and read as JSON (`"@type": ...`).
public enum EnvoyTypeRegistry {
    /// Every type an xDS resource or a typed extension config of ours can hold.
    public static let messageTypes: [any SwiftProtobuf.Message.Type] = [
        Envoy_Config_Cluster_V3_Cluster.self,
        Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self,
        Envoy_Config_Listener_V3_Listener.self,
        Envoy_Config_Route_V3_RouteConfiguration.self,
        Envoy_Config_Route_V3_ScopedRouteConfiguration.self,
        Envoy_Config_Route_V3_VirtualHost.self,
        Envoy_Extensions_TransportSockets_Tls_V3_Secret.self,
        Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext.self,
        Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext.self,
        Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.self,
        Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.self,
        Envoy_Extensions_Filters_Http_Router_V3_Router.self,
        Envoy_Extensions_Filters_Http_Cors_V3_Cors.self,
        Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy.self,
        Envoy_Extensions_Filters_Listener_TlsInspector_V3_TlsInspector.self,
        Envoy_Extensions_Filters_Listener_ProxyProtocol_V3_ProxyProtocol.self,
        Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions.self,
        Envoy_Extensions_AccessLoggers_File_V3_FileAccessLog.self,
        Envoy_Extensions_AccessLoggers_Stream_V3_StdoutAccessLog.self,
        Envoy_Extensions_AccessLoggers_Stream_V3_StderrAccessLog.self,
        Envoy_Extensions_Filters_Http_Lua_V3_Lua.self,
        Envoy_Extensions_Filters_Http_HealthCheck_V3_HealthCheck.self,
        Envoy_Extensions_Http_HeaderFormatters_PreserveCase_V3_PreserveCaseFormatterConfig.self,
        Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault.self,
        Envoy_Extensions_Filters_Http_Buffer_V3_Buffer.self,
        Envoy_Extensions_Filters_Http_Buffer_V3_BufferPerRoute.self,
        Envoy_Extensions_Filters_Http_Csrf_V3_CsrfPolicy.self,
        Envoy_Extensions_Filters_Http_Compressor_V3_Compressor.self,
        Envoy_Extensions_Compression_Gzip_Compressor_V3_Gzip.self,
        Envoy_Extensions_Filters_Http_LocalRatelimit_V3_LocalRateLimit.self,
        Envoy_Extensions_Filters_Network_LocalRatelimit_V3_LocalRateLimit.self,
        Envoy_Extensions_TransportSockets_ProxyProtocol_V3_ProxyProtocolUpstreamTransport.self,
        Envoy_Extensions_TransportSockets_RawBuffer_V3_RawBuffer.self,
        Envoy_Config_Trace_V3_ZipkinConfig.self,
        Envoy_Config_Trace_V3_OpenTelemetryConfig.self,
    ]

    /// Registers the types with SwiftProtobuf's `Any` registry (idempotent).
    public static func registerAll() {
        for type in messageTypes { Google_Protobuf_Any.register(messageType: type) }
    }
}
