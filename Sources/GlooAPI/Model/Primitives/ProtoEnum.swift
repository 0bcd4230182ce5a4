/// A protobuf enum: written as its name, read from its name or its number, with an error that
/// lists the valid names.
public protocol ProtoEnum: RawRepresentable<String>, CaseIterable, Codable, Hashable, Sendable {
    /// The enum's numbers, for values written as integers (old Gloo statuses: `state: 1`).
    static var numbers: [Int: Self] { get }
}

extension ProtoEnum {
    public static var numbers: [Int: Self] {
        Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($0.offset, $0.element) })
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self), let value = Self.numbers[number] {
            self = value
            return
        }
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) ?? Self.allCases.first(where: {
            $0.rawValue.caseInsensitiveCompare(text) == .orderedSame
        }) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not one of \(names)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
