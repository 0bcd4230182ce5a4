/// A Gloo field that gloo-hashi recognizes by name but does not implement.
///
/// The value is kept as written (it round-trips), never interpreted, and decoding it reports a
/// warning naming the field: the resource is served without that feature.
public struct IgnoredOption: Hashable, Sendable, Codable {
    public var value: ConfigValue

    public init(_ value: ConfigValue) { self.value = value }

    public init(from decoder: any Decoder) throws {
        value = try ConfigValue(from: decoder)
        (decoder as? ConfigDecoder)?.state.report(
            .warning, at: decoder.codingPath,
            "'\(decoder.codingPath.last?.stringValue ?? "option")' is not supported by gloo-hashi and is ignored")
    }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// A Gloo field that gloo-hashi recognizes but does not implement, and that cannot be ignored:
/// serving the resource without it would weaken security (auth, rate limits, WAF, RBAC) or change
/// what reaches the upstream (transformations). Decoding it rejects the resource.
public struct UnenforceableOption: Hashable, Sendable, Codable {
    public var value: ConfigValue

    public init(_ value: ConfigValue) { self.value = value }

    public init(from decoder: any Decoder) throws {
        value = try ConfigValue(from: decoder)
        let name = decoder.codingPath.last?.stringValue ?? "option"
        (decoder as? ConfigDecoder)?.state.report(
            .error, at: decoder.codingPath,
            "'\(name)' is not supported by gloo-hashi; serving this resource without it would change its security or "
                + "what reaches the upstream, so the resource is rejected")
    }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
