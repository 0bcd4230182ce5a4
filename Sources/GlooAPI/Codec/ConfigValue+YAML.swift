import Foundation
import Yams

extension ConfigValue {
    /// The most nodes one document may expand to (aliases included): a guard against alias bombs.
    static let maximumNodeCount = 1_000_000

    /// Parses one YAML (or JSON) document. Duplicate keys, syntax errors, several documents and
    /// alias bombs are `ConfigSyntaxError`s with a line and column where known.
    public static func parseYAML(_ text: String) throws(ConfigSyntaxError) -> ConfigValue {
        let root: Node?
        do {
            let parser = try Parser(yaml: text, resolver: .basic)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw ConfigSyntaxError(yamlError: error)
        } catch {
            throw ConfigSyntaxError(message: "\(error)", line: nil, column: nil)
        }
        guard let root else { return .null }
        var budget = maximumNodeCount
        return try ConfigValue(node: root, budget: &budget)
    }

    private init(node: Node, budget: inout Int) throws(ConfigSyntaxError) {
        budget -= 1
        guard budget >= 0 else {
            throw ConfigSyntaxError(
                message: "document expands to more than \(ConfigValue.maximumNodeCount) values (YAML aliases?)",
                line: node.mark?.line, column: node.mark?.column)
        }
        switch node {
        case .scalar(let scalar):
            self = ConfigValue(scalar: scalar)
        case .sequence(let sequence):
            var items: [ConfigValue] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try ConfigValue(node: item, budget: &budget)) }
            self = .list(items)
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            entries.reserveCapacity(mapping.count)
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw ConfigSyntaxError(
                        message: "mapping keys must be strings", line: keyNode.mark?.line, column: keyNode.mark?.column)
                }
                entries.append(ConfigEntry(keyScalar.string, try ConfigValue(node: valueNode, budget: &budget)))
            }
            self = .map(entries)
        case .alias(let alias):
            throw ConfigSyntaxError(message: "unresolved YAML alias", line: alias.mark?.line, column: alias.mark?.column)
        }
    }

    /// Resolves a scalar like YAML 1.2's core schema: quoted scalars are strings; plain ones may be
    /// null, booleans or numbers. An explicit tag (`!!str 123`) wins.
    private init(scalar: Node.Scalar) {
        let text = scalar.string
        switch scalar.tag.description {
        case "", "!":
            self = scalar.style == .plain ? ConfigValue.resolvePlain(text) : .string(text)
        case Tag.Name.null.rawValue: self = .null
        case Tag.Name.bool.rawValue: self = ConfigValue.resolvePlain(text)
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue: self = .number(text)
        default: self = .string(text)
        }
    }

    /// What a plain (unquoted) scalar means.
    static func resolvePlain(_ text: String) -> ConfigValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: return looksNumeric(text) ? .number(text) : .string(text)
        }
    }

    /// Whether plain text reads as a YAML/JSON number (decimal integers and floats, as JSON writes them).
    static func looksNumeric(_ text: String) -> Bool {
        var utf8 = Substring(text).utf8[...]
        if utf8.first == UInt8(ascii: "-") || utf8.first == UInt8(ascii: "+") { utf8 = utf8.dropFirst() }
        guard let first = utf8.first else { return false }
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard isDigit(first) || first == UInt8(ascii: ".") else { return false }
        var sawDigit = false, sawDot = false, sawExponent = false
        var previous: UInt8 = 0
        for byte in utf8 {
            if isDigit(byte) {
                sawDigit = true
            } else if byte == UInt8(ascii: ".") && !sawDot && !sawExponent {
                sawDot = true
            } else if (byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")) && sawDigit && !sawExponent {
                sawExponent = true
            } else if (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+"))
                && (previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E"))
            {
                // exponent sign
            } else {
                return false
            }
            previous = byte
        }
        return sawDigit && isDigit(previous)
    }

    /// Block-style YAML, deterministic: the same value always gives the same bytes.
    public func yamlText() -> String {
        do {
            return try Yams.serialize(node: yamlNode(), indent: 2, width: -1, allowUnicode: true)
        } catch {
            // The emitter only fails on invalid node graphs, which `yamlNode` never builds.
            preconditionFailure("YAML emitter failed: \(error)")
        }
    }

    func yamlNode() -> Node {
        switch self {
        case .null: return .scalar(.init("null", .implicit, .plain))
        case .bool(let bool): return .scalar(.init(bool ? "true" : "false", .implicit, .plain))
        case .number(let text): return .scalar(.init(text, .implicit, .plain))
        case .string(let text):
            let style: Node.Scalar.Style
            if text.contains("\n") {
                style = .literal
            } else if case .string = ConfigValue.resolvePlain(text), !text.hasPrefix(" "), !text.hasSuffix(" ") {
                style = .plain
            } else {
                style = .doubleQuoted
            }
            return .scalar(.init(text, .implicit, style))
        case .list(let items):
            return .sequence(.init(items.map { $0.yamlNode() }, .implicit, .block))
        case .map(let entries):
            return .mapping(.init(entries.map { (Node.scalar(.init($0.key, .implicit, .plain)), $0.value.yamlNode()) },
                                  .implicit, .block))
        }
    }
}

/// A document that is not valid YAML or JSON, with the position of the problem where known.
public struct ConfigSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int?
    public var column: Int?

    public init(message: String, line: Int?, column: Int?) {
        self.message = message
        self.line = line
        self.column = column
    }

    init(yamlError: YamlError) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            self.init(message: "invalid YAML: \(prefix)\(problem)", line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            self.init(message: "duplicate key \(keys) in one mapping", line: context.mark.line,
                      column: context.mark.column)
        case .reader(let problem, let offset, _, _):
            self.init(message: "invalid input: \(problem)\(offset.map { " at byte \($0)" } ?? "")", line: nil, column: nil)
        default:
            self.init(message: "invalid YAML: \(yamlError)", line: nil, column: nil)
        }
    }

    /// `line 3, column 7` or empty when the position is unknown.
    public var position: String {
        guard let line else { return "" }
        return column.map { "line \(line), column \($0)" } ?? "line \(line)"
    }

    public var description: String {
        position.isEmpty ? message : "\(position): \(message)"
    }
}
