/// Decodes `Decodable` model types from a `ConfigValue` with protobuf-JSON rules: camelCase or
/// snake_case names, numbers as strings, missing repeated fields empty, and unknown fields
/// reported (with a "did you mean") instead of silently dropped.
final class ConfigDecoder: Decoder {
    let value: ConfigValue
    let codingPath: [any CodingKey]
    let state: DecodingState
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var fields: FieldTable?

    init(value: ConfigValue, codingPath: [any CodingKey], state: DecodingState) {
        self.value = value
        self.codingPath = codingPath
        self.state = state
    }

    /// Decodes `type` from `value` at `codingPath`, then reports fields that nobody asked for.
    static func decode<T: Decodable>(
        _ type: T.Type, from value: ConfigValue, codingPath: [any CodingKey], state: DecodingState
    ) throws -> T {
        if T.self == ConfigValue.self { return value as! T }
        let decoder = ConfigDecoder(value: value, codingPath: codingPath, state: state)
        let result = try T(from: decoder)
        decoder.fields?.reportUnknownFields(at: codingPath, to: state)
        return result
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let entries) = value else {
            if case .null = value {
                return KeyedDecodingContainer(ConfigKeyedContainer<Key>(decoder: self, fields: table(for: [])))
            }
            throw mismatch(Key.self, expected: "an object")
        }
        return KeyedDecodingContainer(ConfigKeyedContainer<Key>(decoder: self, fields: table(for: entries)))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .list(let items): return ConfigUnkeyedContainer(decoder: self, items: items)
        case .null: return ConfigUnkeyedContainer(decoder: self, items: [])
        default: throw mismatch([ConfigValue].self, expected: "a list")
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    private func table(for entries: [ConfigEntry]) -> FieldTable {
        if let fields { return fields }
        let table = FieldTable(entries: entries)
        fields = table
        return table
    }

    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        DecodingError.typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.typeName)"))
    }
}

extension ConfigDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(type, expected: "true or false") }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        switch value {
        case .string(let text), .number(let text): return text
        case .bool(let bool): return bool ? "true" : "false"
        default: throw mismatch(type, expected: "a string")
        }
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .number(let text), .string(let text):
            switch text {
            case "NaN", ".nan", ".NaN": return .nan
            case "Infinity", ".inf", ".Inf": return .infinity
            case "-Infinity", "-.inf", "-.Inf": return -.infinity
            default:
                if let double = Double(text) { return double }
            }
        default: break
        }
        throw mismatch(type, expected: "a number")
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let text = value.scalarText else { throw mismatch(type, expected: "an integer") }
        if let integer = T(text) { return integer }
        if let double = Double(text) {
            // Protobuf JSON allows integral floats such as `1e3` or `5.0`.
            if double.rounded() == double, let integer = T(exactly: double) { return integer }
            let kind = double.rounded() == double ? "out of range for this field" : "not a whole number"
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(text) is \(kind)"))
        }
        throw mismatch(type, expected: "an integer")
    }

    func decode(_ type: Int.Type) throws -> Int { try decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == ConfigValue.self { return value as! T }
        return try T(from: self)
    }
}

/// The fields of one object: lookup by exact name or by the camelCase form of a snake_case name,
/// and the record of which names the model asked for.
final class FieldTable {
    let entries: [ConfigEntry]
    private var byName: [String: [Int]] = [:]
    private(set) var requested: Set<String> = []
    private var consumed: Set<Int> = []

    init(entries: [ConfigEntry]) {
        self.entries = entries
        for (index, entry) in entries.enumerated() {
            byName[entry.key, default: []].append(index)
            let camel = FieldTable.camelCase(entry.key)
            if camel != entry.key { byName[camel, default: []].append(index) }
        }
    }

    /// The entries a model field named `name` matches (several when both spellings are present).
    func lookup(_ name: String) -> [Int] {
        requested.insert(name)
        let matches = byName[name] ?? []
        consumed.formUnion(matches)
        return matches
    }

    func reportUnknownFields(at codingPath: [any CodingKey], to state: DecodingState) {
        for (index, entry) in entries.enumerated() where !consumed.contains(index) {
            var reason = "unknown field '\(entry.key)'"
            if let suggestion = FieldTable.closest(to: FieldTable.camelCase(entry.key), in: requested) {
                reason += "; did you mean '\(suggestion)'?"
            }
            state.report(.error, at: codingPath + [AnyCodingKey(stringValue: entry.key)], reason)
        }
    }

    /// `ssl_config` -> `sslConfig`; other names unchanged.
    static func camelCase(_ name: String) -> String {
        guard name.contains("_") else { return name }
        var result = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = !result.isEmpty
            } else if upperNext {
                result += character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func closest(to name: String, in candidates: Set<String>) -> String? {
        let lowered = name.lowercased()
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= (candidate.count >= 4 ? max(2, candidate.count / 4) : 1), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

struct ConfigKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ConfigDecoder
    let fields: FieldTable
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        fields.entries.compactMap { Key(stringValue: $0.key) }
    }

    func contains(_ key: Key) -> Bool {
        !fields.lookup(key.stringValue).isEmpty
    }

    /// The value of `key`, nil when absent; two spellings of one field is an error.
    private func entry(_ key: Key) throws -> ConfigValue? {
        let matches = fields.lookup(key.stringValue)
        guard let first = matches.first else { return nil }
        if matches.count > 1 {
            let names = matches.map { "'\(fields.entries[$0].key)'" }.joined(separator: " and ")
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath + [key], debugDescription: "field given twice, as \(names)"))
        }
        return fields.entries[first].value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let value = try entry(key) else { return true }
        if case .null = value { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(type, forKey: key)
    }

    private func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if T.self is any OneOf.Type { return try T(from: decoder) }
        guard let value = try entry(key), value != .null else {
            if let defaultable = T.self as? any ProtoDefaultable.Type {
                return defaultable.protoDefault as! T
            }
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "missing required field '\(key.stringValue)'"))
        }
        return try ConfigDecoder.decode(type, from: value, codingPath: codingPath + [key], state: decoder.state)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if T.self is any OneOf.Type {
            do { return try T(from: decoder) } catch is OneOfAbsent { return nil }
        }
        guard let value = try entry(key), value != .null else { return nil }
        return try ConfigDecoder.decode(type, from: value, codingPath: codingPath + [key], state: decoder.state)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeValue(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeValue(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeValue(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeValue(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeValue(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeValue(type, forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let nested = ConfigDecoder(value: try entry(key) ?? .null, codingPath: codingPath + [key], state: decoder.state)
        return try nested.container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let nested = ConfigDecoder(value: try entry(key) ?? .null, codingPath: codingPath + [key], state: decoder.state)
        return try nested.unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ConfigDecoder(value: try entry(key) ?? .null, codingPath: codingPath + [key], state: decoder.state)
    }
}

struct ConfigUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: ConfigDecoder
    let items: [ConfigValue]
    var currentIndex = 0

    init(decoder: ConfigDecoder, items: [ConfigValue]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private var currentPath: [any CodingKey] { codingPath + [AnyCodingKey(intValue: currentIndex)] }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: currentPath, debugDescription: "list ended early"))
        }
        let value = try ConfigDecoder.decode(type, from: items[currentIndex], codingPath: currentPath, state: decoder.state)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let nested = ConfigDecoder(value: items[currentIndex], codingPath: currentPath, state: decoder.state)
        currentIndex += 1
        return try nested.container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let nested = ConfigDecoder(value: items[currentIndex], codingPath: currentPath, state: decoder.state)
        currentIndex += 1
        return try nested.unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let nested = ConfigDecoder(value: items[currentIndex], codingPath: currentPath, state: decoder.state)
        currentIndex += 1
        return nested
    }
}
