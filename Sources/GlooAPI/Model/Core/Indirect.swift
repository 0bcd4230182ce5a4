/// A value stored out of line, shared between copies. The option structs are large (hundreds
/// of bytes of optional fields); held indirectly, a Route or VirtualHost copies one pointer, and
/// two copies of the same value compare equal by identity without a field walk. Codes as the
/// value itself.
public struct Indirect<Value: Hashable & Sendable & Codable>: Hashable, Sendable, Codable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private let box: Box

    public init(_ value: Value) { box = Box(value) }

    public var value: Value { box.value }

    public static func == (lhs: Indirect, rhs: Indirect) -> Bool { lhs.box === rhs.box || lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }

    public init(from decoder: any Decoder) throws { box = Box(try Value(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
