/// Behaviour for every route of a virtual host (`virtualHost.options`).
public struct VirtualHostOptions: Hashable, Sendable, Codable {
    public var headerManipulation: HeaderManipulation?
    public var cors: CorsPolicy?
    public var retries: RetryPolicy?
    public var bufferPerRoute: BufferPerRoute?
    public var csrf: CsrfPolicy?
    /// The local token bucket is served; global `rateLimits` reject the VirtualService.
    public var ratelimit: RateLimitOptions?

    public var extensions: IgnoredOption?
    public var stats: IgnoredOption?
    public var includeRequestAttemptCount: IgnoredOption?
    public var includeAttemptCountInResponse: IgnoredOption?
    public var corsPolicyMergeSettings: IgnoredOption?

    public var transformations: UnenforceableOption?
    public var stagedTransformations: UnenforceableOption?
    public var ratelimitBasic: UnenforceableOption?
    public var ratelimitEarly: UnenforceableOption?
    public var rateLimitEarlyConfigs: UnenforceableOption?
    public var rateLimitConfigs: UnenforceableOption?
    public var ratelimitRegular: UnenforceableOption?
    public var rateLimitRegularConfigs: UnenforceableOption?
    public var waf: UnenforceableOption?
    public var jwt: UnenforceableOption?
    public var jwtStaged: UnenforceableOption?
    public var jwtProvidersStaged: UnenforceableOption?
    public var rbac: UnenforceableOption?
    public var extauth: UnenforceableOption?
    public var dlp: UnenforceableOption?
    public var extProc: UnenforceableOption?
    public var extProcEarly: UnenforceableOption?
    public var extProcLate: UnenforceableOption?

    public init() {}
}
