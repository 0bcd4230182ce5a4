/// A token bucket for Envoy's local rate limits (`networkLocalRatelimit`, `localRatelimit`,
/// `httpLocalRatelimit.defaultLimit`): `maxTokens`, refilled by `tokensPerFill` (default: 1)
/// every `fillInterval` (default: 1 s, at least 50 ms).
public struct TokenBucket: Hashable, Sendable, Codable {
    public var maxTokens: UInt32
    public var tokensPerFill: UInt32?
    public var fillInterval: ProtoDuration?
}

/// The HTTP local rate limit of a Gateway (`httpGateway.options.httpLocalRatelimit`): a default
/// limit for every request, counted per connection or for the whole Envoy, with or without the
/// `x-ratelimit-*` response headers.
public struct LocalRateLimitSettings: Hashable, Sendable, Codable {
    public var defaultLimit: TokenBucket?
    public var localRateLimitPerDownstreamConnection: Bool?
    public var enableXRatelimitHeaders: Bool?
}

/// A virtual host's or route's `ratelimit` (Gloo's rate-limit extension): a local token bucket
/// that replaces the Gateway's for its requests; the global `rateLimits` need a rate limit
/// service and are rejected.
public struct RateLimitOptions: Hashable, Sendable, Codable {
    public var localRatelimit: TokenBucket?
    /// Routes only: also apply the virtual host's global rate limits.
    public var includeVhRateLimits: Bool?
    public var rateLimits: UnenforceableOption?
}
