/// Encodes `Encodable` model types into a `ConfigValue` with protobuf-JSON rules: fields in
/// declaration order, map keys sorted, defaults (empty lists, empty strings, false, nil) omitted.
final class ConfigEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    fileprivate let node: EncodingNode

    fileprivate init(codingPath: [any CodingKey], node: EncodingNode) {
        self.codingPath = codingPath
        self.node = node
    }

    /// Encodes `value` into a configuration tree.
    static func encode<T: Encodable>(_ value: T) throws -> ConfigValue {
        let node = EncodingNode()
        try ConfigEncoder.encode(value, into: node, codingPath: [])
        return node.build()
    }

    fileprivate static func encode<T: Encodable>(_ value: T, into node: EncodingNode, codingPath: [any CodingKey]) throws {
        if let raw = value as? ConfigValue {
            node.content = .value(raw)
        } else if let dictionary = value as? any StringKeyedDictionary {
            var entries: [(String, EncodingNode)] = []
            for (key, element) in dictionary.sortedConfigEntries {
                let child = EncodingNode()
                try encode(element, into: child, codingPath: codingPath + [AnyCodingKey(stringValue: key)])
                entries.append((key, child))
            }
            node.content = .map(entries)
        } else {
            try value.encode(to: ConfigEncoder(codingPath: codingPath, node: node))
        }
    }

    /// Stores a raw configuration value (used by `ConfigValue` and the opaque option types).
    func storeRaw(_ value: ConfigValue) {
        node.content = .value(value)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .map = node.content {} else { node.content = .map([]) }
        return KeyedEncodingContainer(ConfigKeyedEncodingContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .list = node.content {} else { node.content = .list([]) }
        return ConfigUnkeyedEncodingContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }
}

/// A value under construction; containers append to it by reference.
final class EncodingNode {
    enum Content {
        case empty
        case value(ConfigValue)
        case map([(String, EncodingNode)])
        case list([EncodingNode])
    }

    var content: Content = .empty

    func build() -> ConfigValue {
        switch content {
        case .empty: .null
        case .value(let value): value
        case .map(let entries): .map(entries.map { ConfigEntry($0.0, $0.1.build()) })
        case .list(let items): .list(items.map { $0.build() })
        }
    }

    func append(key: String, child: EncodingNode) {
        guard case .map(var entries) = content else { return }
        content = .empty
        entries.append((key, child))
        content = .map(entries)
    }

    func append(child: EncodingNode) {
        guard case .list(var items) = content else { return }
        content = .empty
        items.append(child)
        content = .list(items)
    }
}

extension ConfigEncoder: SingleValueEncodingContainer {
    func encodeNil() { node.content = .value(.null) }
    func encode(_ value: Bool) { node.content = .value(.bool(value)) }
    func encode(_ value: String) { node.content = .value(.string(value)) }
    func encode(_ value: Double) { node.content = .value(ConfigEncoder.number(value)) }
    func encode(_ value: Float) { node.content = .value(ConfigEncoder.number(Double(value))) }
    func encode(_ value: Int) { node.content = .value(.number(String(value))) }
    func encode(_ value: Int8) { node.content = .value(.number(String(value))) }
    func encode(_ value: Int16) { node.content = .value(.number(String(value))) }
    func encode(_ value: Int32) { node.content = .value(.number(String(value))) }
    func encode(_ value: Int64) { node.content = .value(.number(String(value))) }
    func encode(_ value: UInt) { node.content = .value(.number(String(value))) }
    func encode(_ value: UInt8) { node.content = .value(.number(String(value))) }
    func encode(_ value: UInt16) { node.content = .value(.number(String(value))) }
    func encode(_ value: UInt32) { node.content = .value(.number(String(value))) }
    func encode(_ value: UInt64) { node.content = .value(.number(String(value))) }

    func encode<T: Encodable>(_ value: T) throws {
        try ConfigEncoder.encode(value, into: node, codingPath: codingPath)
    }

    static func number(_ value: Double) -> ConfigValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        if value.rounded() == value, abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number(String(value))
    }
}

struct ConfigKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ConfigEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) {}

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, forKey: key)
    }

    private func encodeValue<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let defaultable = value as? any ProtoDefaultable, defaultable.isProtoDefault { return }
        if value is any OneOf {
            try value.encode(to: encoder)
            return
        }
        let child = EncodingNode()
        try ConfigEncoder.encode(value, into: child, codingPath: codingPath + [key])
        encoder.node.append(key: key.stringValue, child: child)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encodeValue(value, forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encodeValue(value, forKey: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        encoder.node.append(key: key.stringValue, child: child)
        return ConfigEncoder(codingPath: codingPath + [key], node: child).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        encoder.node.append(key: key.stringValue, child: child)
        return ConfigEncoder(codingPath: codingPath + [key], node: child).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = EncodingNode()
        encoder.node.append(key: key.stringValue, child: child)
        return ConfigEncoder(codingPath: codingPath + [key], node: child)
    }
}

struct ConfigUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: ConfigEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    private(set) var count = 0

    init(encoder: ConfigEncoder) { self.encoder = encoder }

    mutating func encodeNil() throws {
        let child = EncodingNode()
        child.content = .value(.null)
        encoder.node.append(child: child)
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = EncodingNode()
        try ConfigEncoder.encode(value, into: child, codingPath: codingPath + [AnyCodingKey(intValue: count)])
        encoder.node.append(child: child)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        encoder.node.append(child: child)
        count += 1
        return ConfigEncoder(codingPath: codingPath, node: child).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        encoder.node.append(child: child)
        count += 1
        return ConfigEncoder(codingPath: codingPath, node: child).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = EncodingNode()
        encoder.node.append(child: child)
        count += 1
        return ConfigEncoder(codingPath: codingPath, node: child)
    }
}
