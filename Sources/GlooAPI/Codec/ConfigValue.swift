/// A configuration value as read from YAML or JSON: the tree the codec decodes from and encodes to.
///
/// Scalars keep their text so that 64-bit integers and decimals survive unchanged; mappings keep
/// their key order so that output is deterministic.
public enum ConfigValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number in its textual form (`42`, `-1.5`, `1e3`).
    case number(String)
    case string(String)
    case list([ConfigValue])
    case map([ConfigEntry])

    /// The entries of a mapping, or nil for other values.
    public var entries: [ConfigEntry]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    /// The value under `key` in a mapping (the first one if the key repeats).
    public subscript(key: String) -> ConfigValue? {
        entries?.first(where: { $0.key == key })?.value
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .list: "a list"
        case .map: "an object"
        }
    }

    /// The value with every mapping's keys sorted, recursively (for canonical comparison).
    public var sortedKeys: ConfigValue {
        switch self {
        case .list(let items): .list(items.map(\.sortedKeys))
        case .map(let entries):
            .map(entries.sorted { $0.key < $1.key }.map { ConfigEntry($0.key, $0.value.sortedKeys) })
        default: self
        }
    }
}

/// One key and value of a `ConfigValue.map`.
public struct ConfigEntry: Hashable, Sendable {
    public var key: String
    public var value: ConfigValue

    public init(_ key: String, _ value: ConfigValue) {
        self.key = key
        self.value = value
    }
}

extension ConfigValue: Codable {
    /// Decodes any JSON-like value; used when a `ConfigValue` is decoded by a foreign decoder.
    public init(from decoder: any Decoder) throws {
        if let configDecoder = decoder as? ConfigDecoder {
            self = configDecoder.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int64.self) {
            self = .number(String(int))
        } else if let double = try? container.decode(Double.self) {
            self = .number(String(double))
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let list = try? container.decode([ConfigValue].self) {
            self = .list(list)
        } else {
            let dictionary = try container.decode([String: ConfigValue].self)
            self = .map(dictionary.sorted { $0.key < $1.key }.map { ConfigEntry($0.key, $0.value) })
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if let configEncoder = encoder as? ConfigEncoder {
            configEncoder.storeRaw(self)
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .number(let text):
            if let int = Int64(text) { try container.encode(int) } else { try container.encode(Double(text) ?? 0) }
        case .string(let string): try container.encode(string)
        case .list(let items): try container.encode(items)
        case .map(let entries):
            try container.encode(Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
    }
}

extension ConfigValue {
    /// The text of a string or number scalar.
    var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): text
        default: nil
        }
    }

    var isBool: Bool {
        if case .bool = self { return true }
        return false
    }
}
