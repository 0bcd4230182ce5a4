/// Cross-site request forgery checks (`csrf`, Envoy's CSRF filter): a mutating request whose
/// Origin differs from its destination is refused (403), unless its origin is allowed.
public struct CsrfPolicy: Hashable, Sendable, Codable {
    /// Share of requests checked and refused; unset means none (Gloo writes 0 %).
    public var filterEnabled: RuntimeFractionalPercent?
    /// Share of requests checked without refusing (statistics only).
    public var shadowEnabled: RuntimeFractionalPercent?
    public var additionalOrigins: [StringMatcher]
}

/// A fraction with an optional runtime key that can override it (Envoy's own message).
public struct RuntimeFractionalPercent: Hashable, Sendable, Codable {
    public var defaultValue: FractionalPercent?
    public var runtimeKey: String
}

/// `numerator` out of a hundred, ten thousand or a million.
public struct FractionalPercent: Hashable, Sendable, Codable {
    public enum Denominator: String, ProtoEnum {
        case hundred = "HUNDRED"
        case tenThousand = "TEN_THOUSAND"
        case million = "MILLION"
    }

    public var numerator: UInt32
    public var denominator: Denominator?
}

/// Envoy's string matcher: exact, prefix, suffix or an RE2 regex, optionally ignoring case.
public struct StringMatcher: Hashable, Sendable, Codable {
    public var exact: String?
    public var prefix: String?
    public var suffix: String?
    public var safeRegex: RegexPattern?
    public var ignoreCase: Bool
}
