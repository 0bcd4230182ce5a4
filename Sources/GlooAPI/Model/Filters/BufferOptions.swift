/// Request buffering (`httpGateway.options.buffer`): Envoy holds the whole request body, up to
/// `maxRequestBytes` (413 beyond), before it is forwarded.
public struct BufferLimit: Hashable, Sendable, Codable {
    public var maxRequestBytes: UInt32?
}

/// A virtual host's, route's or weighted destination's buffering (`bufferPerRoute`): off, or
/// another limit. It takes effect where the Gateway turns buffering on.
public struct BufferPerRoute: Hashable, Sendable, Codable {
    public var override: BufferOverride?
}

/// The `override` oneof of `bufferPerRoute`.
public enum BufferOverride: OneOf {
    case disabled(Bool)
    case buffer(BufferLimit)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["disabled", "buffer"])
        switch reader.name {
        case "disabled": self = .disabled(try reader.decode())
        default: self = .buffer(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .disabled(let value): try encoder.encodeOneOf("disabled", value)
        case .buffer(let value): try encoder.encodeOneOf("buffer", value)
        }
    }
}
