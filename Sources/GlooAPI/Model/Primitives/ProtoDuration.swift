/// A protobuf `Duration`, written as in protobuf JSON: `"1.5s"`, `"0.250s"`, `"300s"`.
///
/// Decoding also accepts `{seconds, nanos}` objects, which some hand-written configs use.
public struct ProtoDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanos: Int32

    public init(seconds: Int64, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }

    public init(milliseconds: Int64) {
        self.init(seconds: milliseconds / 1000, nanos: Int32((milliseconds % 1000) * 1_000_000))
    }

    /// Parses protobuf's `"1.5s"` or, as Gloo does, Go's `"1m30s"`; nil for anything else.
    public init?(text: String) {
        if let seconds = ProtoDuration(secondsText: text) {
            self = seconds
        } else if let go = ProtoDuration(goDuration: text) {
            self = go
        } else {
            return nil
        }
    }

    /// Protobuf JSON's only form, `"1.5s"`.
    init?(secondsText text: String) {
        guard text.hasSuffix("s") else { return nil }
        var number = text.dropLast()
        let negative = number.hasPrefix("-")
        if negative { number = number.dropFirst() }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
              let seconds = Int64(whole), seconds <= 315_576_000_000
        else { return nil }
        var nanos: Int32 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
            nanos = Int32(fraction + String(repeating: "0", count: 9 - fraction.count)) ?? 0
        }
        self.init(seconds: negative ? -seconds : seconds, nanos: negative ? -nanos : nanos)
    }

    /// Total length in seconds.
    public var timeInterval: Double { Double(seconds) + Double(nanos) / 1e9 }

    /// Protobuf JSON text: whole seconds as `"5s"`, fractions with 3, 6 or 9 digits.
    public var description: String {
        let negative = seconds < 0 || nanos < 0
        let wholeSeconds = abs(seconds)
        let fraction = abs(Int64(nanos))
        var text = (negative ? "-" : "") + String(wholeSeconds)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.count > 3, digits.hasSuffix("000") { digits.removeLast(3) }
            text += "." + digits
        }
        return text + "s"
    }

    public static func < (lhs: ProtoDuration, rhs: ProtoDuration) -> Bool {
        (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
    }
}

extension ProtoDuration: Codable {
    private enum CodingKeys: String, CodingKey {
        case seconds, nanos
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer(), let text = try? container.decode(String.self) {
            guard let duration = ProtoDuration(text: text) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "'\(text)' is not a duration; write it like \"1.5s\" or \"1m30s\""))
            }
            self = duration
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(seconds: try container.decodeIfPresent(Int64.self, forKey: .seconds) ?? 0,
                  nanos: try container.decodeIfPresent(Int32.self, forKey: .nanos) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
