import GlooAPI

/// What a chain's Gateway adds to the virtual hosts it serves: Envoy reads a route's local rate
/// limit whole, so each carries the Gateway's `httpLocalRatelimit` settings (per connection,
/// `x-ratelimit-*` headers), as in Gloo. Part of the virtual host caches' keys.
struct HostContext: Hashable, Sendable {
    var localRateLimit: LocalRateLimitSettings?

    init(localRateLimit: LocalRateLimitSettings? = nil) {
        // Only the settings travel; the Gateway's own default limit stays on its filter.
        if var settings = localRateLimit {
            settings.defaultLimit = nil
            self.localRateLimit = settings.localRateLimitPerDownstreamConnection == true || settings.enableXRatelimitHeaders == true
                ? settings : nil
        }
    }

    init(_ options: HttpListenerOptions?) { self.init(localRateLimit: options?.httpLocalRatelimit) }
}
