/// Per-route behaviour (`options` on a route). Modeled fields are served; the rest of Gloo's
/// options are recognized and reported (see `IgnoredOption` and `UnenforceableOption`).
public struct RouteOptions: Hashable, Sendable, Codable {
    public var prefixRewrite: String?
    public var timeout: ProtoDuration?
    public var retries: RetryPolicy?
    public var headerManipulation: HeaderManipulation?
    public var hostRewrite: HostRewrite?
    public var cors: CorsPolicy?
    public var idleTimeout: ProtoDuration?
    public var maxStreamDuration: RouteMaxStreamDuration?
    public var appendXForwardedHost: Bool?
    /// Route-level protocol upgrades (websocket, connect, connectTerminate).
    public var upgrades: [ProtocolUpgrade]?
    public var regexRewrite: RegexRewrite?
    /// Request mirroring to another Upstream (`shadowing`).
    public var shadowing: RouteShadowing?
    /// Session affinity: what consistent-hash load balancers hash on (`lbHash`).
    public var lbHash: LoadBalancerHash?
    public var faults: RouteFaults?
    public var bufferPerRoute: BufferPerRoute?
    public var csrf: CsrfPolicy?
    /// The local token bucket is served; global `rateLimits` reject the resource.
    public var ratelimit: RateLimitOptions?

    public var extensions: IgnoredOption?
    public var tracing: RouteTracingSettings?
    public var envoyMetadata: IgnoredOption?

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
    public var ai: UnenforceableOption?

    public init(prefixRewrite: String? = nil, timeout: ProtoDuration? = nil) {
        self.prefixRewrite = prefixRewrite
        self.timeout = timeout
    }
}

/// How the Host header is rewritten (`host_rewrite_type` oneof).
public indirect enum HostRewrite: OneOf {
    case hostRewrite(String)
    case autoHostRewrite(Bool)
    case hostRewritePathRegex(RegexRewrite)
    case hostRewriteHeader(String)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["hostRewrite", "autoHostRewrite", "hostRewritePathRegex", "hostRewriteHeader"])
        switch reader.name {
        case "hostRewrite": self = .hostRewrite(try reader.decode())
        case "autoHostRewrite": self = .autoHostRewrite(try reader.decode())
        case "hostRewritePathRegex": self = .hostRewritePathRegex(try reader.decode())
        default: self = .hostRewriteHeader(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .hostRewrite(let value): try encoder.encodeOneOf("hostRewrite", value)
        case .autoHostRewrite(let value): try encoder.encodeOneOf("autoHostRewrite", value)
        case .hostRewritePathRegex(let value): try encoder.encodeOneOf("hostRewritePathRegex", value)
        case .hostRewriteHeader(let value): try encoder.encodeOneOf("hostRewriteHeader", value)
        }
    }
}

/// Options on one weighted destination.
public struct WeightedDestinationOptions: Hashable, Sendable, Codable {
    public var headerManipulation: HeaderManipulation?
    public var extensions: IgnoredOption?
    public var bufferPerRoute: BufferPerRoute?
    public var csrf: CsrfPolicy?
    public var transformations: UnenforceableOption?
    public var stagedTransformations: UnenforceableOption?
    public var extauth: UnenforceableOption?
}

/// A regex and its substitution (`regexRewrite`, `hostRewritePathRegex`), RE2 as in Envoy.
public struct RegexRewrite: Hashable, Sendable, Codable {
    public var pattern: RegexPattern?
    public var substitution: String
}

/// Gloo's `RegexMatcher`: the regex (its engine options are Envoy's own).
public struct RegexPattern: Hashable, Sendable, Codable {
    public var regex: String
    /// Deprecated in Envoy (its program-size limits are runtime settings): reported, ignored.
    public var googleRe2: IgnoredOption?
}

/// A route's stream limits (`maxStreamDuration`).
public struct RouteMaxStreamDuration: Hashable, Sendable, Codable {
    public var maxStreamDuration: ProtoDuration?
    public var grpcTimeoutHeaderMax: ProtoDuration?
    public var grpcTimeoutHeaderOffset: ProtoDuration?
}

/// Mirror a share of a route's requests to another Upstream (`shadowing`).
public struct RouteShadowing: Hashable, Sendable, Codable {
    public var upstream: ResourceRef?
    /// Percent of requests, 0 to 100.
    public var percentage: Double?
    public var hostRewriteLiteral: String
    public var disableShadowHostSuffixAppend: Bool?
}

/// Hash policies for ring hash and maglev upstreams (`lbHash`).
public struct LoadBalancerHash: Hashable, Sendable, Codable {
    public var hashPolicies: [HashPolicy]
}

/// One key to hash on: a header, a cookie (set when missing, with `ttl`), or the source IP.
public struct HashPolicy: Hashable, Sendable, Codable {
    public var header: String?
    public var cookie: HashCookie?
    public var sourceIp: Bool?
    public var terminal: Bool?
}

public struct HashCookie: Hashable, Sendable, Codable {
    public var name: String
    public var ttl: ProtoDuration?
    public var path: String
}
