/// Cross-origin resource sharing for a virtual host or route (`cors`).
public struct CorsPolicy: Hashable, Sendable, Codable {
    public var allowOrigin: [String]
    public var allowOriginRegex: [String]
    public var allowMethods: [String]
    public var allowHeaders: [String]
    public var exposeHeaders: [String]
    public var maxAge: String
    public var allowCredentials: Bool
    public var disableForRoute: Bool
}

/// Retry policy for a route or virtual host (`retries`).
public struct RetryPolicy: Hashable, Sendable, Codable {
    public var retryOn: String
    public var numRetries: UInt32
    public var perTryTimeout: ProtoDuration?
    public var retryBackOff: RetryBackOff?
    public var previousPriorities: IgnoredOption?
    public var priorityPredicate: IgnoredOption?
    public var retriableStatusCodes: [UInt32]
    public var rateLimitedRetryBackOff: RateLimitedRetryBackOff?
}

/// Back off as the upstream's rate-limit headers say (`Retry-After` and the like).
public struct RateLimitedRetryBackOff: Hashable, Sendable, Codable {
    public var resetHeaders: [ResetHeader]
    public var maxInterval: ProtoDuration?
}

public struct ResetHeader: Hashable, Sendable, Codable {
    public enum Format: String, ProtoEnum {
        case seconds = "SECONDS"
        case unixTimestamp = "UNIX_TIMESTAMP"
    }

    public var name: String
    public var format: Format?
}

public struct RetryBackOff: Hashable, Sendable, Codable {
    public var baseInterval: ProtoDuration?
    public var maxInterval: ProtoDuration?
}
