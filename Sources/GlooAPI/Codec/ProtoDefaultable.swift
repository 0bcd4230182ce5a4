/// A type with a protobuf default: a missing or null field decodes to it, and it is not written.
///
/// This is proto3's rule for repeated, map, string and bool fields, and lets the model use `[Route]`
/// instead of `[Route]?`.
public protocol ProtoDefaultable {
    static var protoDefault: Self { get }
    var isProtoDefault: Bool { get }
}

extension Array: ProtoDefaultable {
    public static var protoDefault: Self { [] }
    public var isProtoDefault: Bool { isEmpty }
}

extension Dictionary: ProtoDefaultable {
    public static var protoDefault: Self { [:] }
    public var isProtoDefault: Bool { isEmpty }
}

extension String: ProtoDefaultable {
    public static var protoDefault: Self { "" }
    public var isProtoDefault: Bool { isEmpty }
}

extension Bool: ProtoDefaultable {
    public static var protoDefault: Self { false }
    public var isProtoDefault: Bool { !self }
}

/// Marks `[String: Value]` so the encoder writes its keys sorted (dictionary order is random).
protocol StringKeyedDictionary {
    var sortedConfigEntries: [(key: String, value: any Encodable)] { get }
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    var sortedConfigEntries: [(key: String, value: any Encodable)] {
        sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value as any Encodable) }
    }
}

extension Int32: ProtoDefaultable {
    public static var protoDefault: Self { 0 }
    public var isProtoDefault: Bool { self == 0 }
}

extension Int64: ProtoDefaultable {
    public static var protoDefault: Self { 0 }
    public var isProtoDefault: Bool { self == 0 }
}

extension UInt32: ProtoDefaultable {
    public static var protoDefault: Self { 0 }
    public var isProtoDefault: Bool { self == 0 }
}

extension UInt64: ProtoDefaultable {
    public static var protoDefault: Self { 0 }
    public var isProtoDefault: Bool { self == 0 }
}

extension Double: ProtoDefaultable {
    public static var protoDefault: Self { 0 }
    public var isProtoDefault: Bool { self == 0 }
}
