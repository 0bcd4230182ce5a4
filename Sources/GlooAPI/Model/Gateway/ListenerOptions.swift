/// Listener-wide options of a Gateway (`options`).
public struct ListenerOptions: Hashable, Sendable, Codable {
    public var perConnectionBufferLimitBytes: UInt32?
    public var accessLoggingService: AccessLoggingService?
    public var extensions: IgnoredOption?
    public var socketOptions: IgnoredOption?
    public var connectionBalanceConfig: IgnoredOption?
    public var listenerAccessLoggingService: IgnoredOption?
    public var tcpStats: IgnoredOption?
    /// Accepting PROXY protocol: without it the listener would misread every connection.
    public var proxyProtocol: UnenforceableOption?
}

/// HTTP listener options of a Gateway (`httpGateway.options`).
public struct HttpListenerOptions: Hashable, Sendable, Codable {
    public var httpConnectionManagerSettings: HttpConnectionSettings?
    public var grpcWeb: IgnoredOption?
    /// Envoy answers this path itself (200, or 503 while draining), before any route.
    public var healthCheck: GatewayHealthCheck?
    public var extensions: IgnoredOption?
    public var caching: IgnoredOption?
    public var gzip: GzipOptions?
    public var proxyLatency: IgnoredOption?
    public var buffer: BufferLimit?
    public var sanitizeClusterHeader: IgnoredOption?
    public var leftmostXffAddress: IgnoredOption?
    public var connectionLimit: IgnoredOption?
    public var router: IgnoredOption?
    public var tap: IgnoredOption?
    public var statefulSession: IgnoredOption?
    public var headerValidationSettings: IgnoredOption?
    public var disableExtProc: IgnoredOption?
    public var disableExtProcEarly: IgnoredOption?
    public var disableExtProcLate: IgnoredOption?
    public var waf: UnenforceableOption?
    public var dlp: UnenforceableOption?
    public var wasm: UnenforceableOption?
    public var extauth: UnenforceableOption?
    public var ratelimitServer: UnenforceableOption?
    public var csrf: CsrfPolicy?
    public var grpcJsonTranscoder: UnenforceableOption?
    public var dynamicForwardProxy: UnenforceableOption?
    public var networkLocalRatelimit: TokenBucket?
    public var httpLocalRatelimit: LocalRateLimitSettings?
    public var extProc: UnenforceableOption?
    public var extProcEarly: UnenforceableOption?
    public var extProcLate: UnenforceableOption?
}

/// TCP listener options of a Gateway (`tcpGateway.options`).
public struct TcpListenerOptions: Hashable, Sendable, Codable {
    public var tcpProxySettings: IgnoredOption?
    public var connectionLimit: IgnoredOption?
    public var localRatelimit: TokenBucket?
}

/// The gateway's own health check (`httpGateway.options.healthCheck`).
public struct GatewayHealthCheck: Hashable, Sendable, Codable {
    public var path: String
}
