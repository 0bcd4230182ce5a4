extension ConfigValue {
    /// JSON text, deterministic: keys in the value's order, two-space indentation when `pretty`.
    public func jsonText(pretty: Bool = true) -> String {
        var output = ""
        writeJSON(to: &output, indent: pretty ? 0 : nil)
        if pretty { output.append("\n") }
        return output
    }

    private func writeJSON(to output: inout String, indent: Int?) {
        switch self {
        case .null: output.append("null")
        case .bool(let bool): output.append(bool ? "true" : "false")
        case .number(let text): output.append(ConfigValue.jsonNumber(text))
        case .string(let text): ConfigValue.writeJSONString(text, to: &output)
        case .list(let items):
            writeJSONContainer(items, open: "[", close: "]", to: &output, indent: indent) { item, output, indent in
                item.writeJSON(to: &output, indent: indent)
            }
        case .map(let entries):
            writeJSONContainer(entries, open: "{", close: "}", to: &output, indent: indent) { entry, output, indent in
                ConfigValue.writeJSONString(entry.key, to: &output)
                output.append(indent == nil ? ":" : ": ")
                entry.value.writeJSON(to: &output, indent: indent)
            }
        }
    }

    private func writeJSONContainer<Element>(
        _ elements: [Element], open: Character, close: Character, to output: inout String, indent: Int?,
        writeElement: (Element, inout String, Int?) -> Void
    ) {
        output.append(open)
        guard !elements.isEmpty else {
            output.append(close)
            return
        }
        let inner = indent.map { $0 + 2 }
        for (index, element) in elements.enumerated() {
            if index > 0 { output.append(",") }
            if let inner { output.append("\n" + String(repeating: " ", count: inner)) }
            writeElement(element, &output, inner)
        }
        if let indent { output.append("\n" + String(repeating: " ", count: indent)) }
        output.append(close)
    }

    /// YAML allows `+1`, `.5` and `1.`; JSON does not.
    private static func jsonNumber(_ text: String) -> String {
        var text = text
        if text.hasPrefix("+") { text.removeFirst() }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasPrefix("-.") { text = "-0" + text.dropFirst() }
        if text.hasSuffix(".") { text += "0" }
        return text
    }

    static func writeJSONString(_ text: String, to output: inout String) {
        output.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output.append("\"")
    }
}
