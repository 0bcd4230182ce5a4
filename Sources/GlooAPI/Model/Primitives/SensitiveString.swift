/// A string that must never be printed: private keys, tokens, passwords.
///
/// It encodes and decodes as a plain string (it has to reach Envoy or the backend), but its
/// `description`, `debugDescription` and reflection show only `<redacted>`.
public struct SensitiveString: Hashable, Sendable, Codable, ProtoDefaultable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable, ExpressibleByStringLiteral
{
    /// The secret text itself; read it only to hand it to the component that needs it.
    public var revealed: String

    public init(_ revealed: String) { self.revealed = revealed }
    public init(stringLiteral value: String) { self.revealed = value }

    public static var protoDefault: SensitiveString { SensitiveString("") }
    public var isProtoDefault: Bool { revealed.isEmpty }

    public var description: String { revealed.isEmpty ? "" : "<redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["revealed": description]) }

    public init(from decoder: any Decoder) throws {
        revealed = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(revealed)
    }
}
