/// A protobuf `oneof`: an enum whose cases are fields of the enclosing message.
///
/// A model struct holds it as an optional property (its name never appears in YAML); the codec
/// reads and writes the case's field inline, in the enclosing object, as protobuf JSON does.
public protocol OneOf: Codable, Hashable, Sendable {}

/// Thrown by a `OneOf` when none of its fields is present; the enclosing property is then nil.
struct OneOfAbsent: Error {}

/// Finds which single field of a oneof is present in an object.
struct OneOfReader {
    private let container: KeyedDecodingContainer<AnyCodingKey>
    private let key: AnyCodingKey

    /// Throws `OneOfAbsent` when none of `names` is present and an error when several are.
    init(_ decoder: any Decoder, names: [String]) throws {
        container = try decoder.container(keyedBy: AnyCodingKey.self)
        var present: [AnyCodingKey] = []
        for name in names {
            let key = AnyCodingKey(stringValue: name)
            if try !container.decodeNil(forKey: key) { present.append(key) }
        }
        guard let first = present.first else { throw OneOfAbsent() }
        guard present.count == 1 else {
            let found = present.map { "'\($0.stringValue)'" }.joined(separator: " and ")
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "only one of \(names.joined(separator: ", ")) may be set; found \(found)"))
        }
        key = first
    }

    /// The name of the field that is present.
    var name: String { key.stringValue }

    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try container.decode(type, forKey: key)
    }
}

extension Encoder {
    /// Writes one oneof case as a field of the enclosing object.
    func encodeOneOf<T: Encodable>(_ name: String, _ value: T) throws {
        var container = container(keyedBy: AnyCodingKey.self)
        try container.encode(value, forKey: AnyCodingKey(stringValue: name))
    }
}

/// An empty protobuf message (`{}`), used by oneof cases that carry no settings.
public struct EmptyMessage: Hashable, Sendable, Codable {
    public init() {}
}
