/// Where an effective configuration value came from, in precedence order: a flag wins over the
/// Settings file, which wins over the HashiCorp environment, which wins over the default.
public enum ConfigOrigin: String, Sendable, Hashable, CaseIterable {
    case flag
    case settings
    case environment
    case `default`
}

/// A configuration value with where it came from: the flag, the Settings field, the
/// environment variable, or the default.
public struct Sourced<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var origin: ConfigOrigin
    /// `--xds-address`, `gloo.xdsBindAddr`, `CONSUL_HTTP_ADDR`, or empty for a default.
    public var source: String

    public init(_ value: Value, _ origin: ConfigOrigin, _ source: String = "") {
        self.value = value
        self.origin = origin
        self.source = source
    }

    /// The first candidate that has a value, else `fallback` as the default.
    static func first(_ candidates: [(ConfigOrigin, String, Value?)], default fallback: Value) -> Sourced<Value> {
        for (origin, source, value) in candidates {
            if let value { return Sourced(value, origin, source) }
        }
        return Sourced(fallback, .default)
    }

    /// Where it came from, for `--print-config`: `flag --xds-address`, `default`.
    public var provenance: String { source.isEmpty ? origin.rawValue : "\(origin.rawValue) \(source)" }
}
