import Foundation

/// The part of HCL2 job parsing the Nomad test server does (REFERENCE.md section 6: `/v1/jobs/parse`
/// with `Variables`): the job's name and type, its groups, and each group's count, from a literal,
/// a `var.x` reference (the variable's default, overridden by the `Variables` text) or a
/// conditional on a bool variable (`var.x ? 1 : 0`). Enough for gloo-hashi's own job files.
enum NomadJobParser {
    struct Parsed {
        var id: String
        var type: String
        var groups: [(name: String, count: Int)]
    }

    static func parse(_ hcl: String, variables: String) throws -> Parsed {
        var values = defaults(hcl)
        for line in variables.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { values[parts[0]] = parts[1].trimmingCharacters(in: ["\""]) }
        }
        guard let id = first(#"job\s+"([^"]+)"\s*\{"#, in: hcl) else { throw Problem("no job block found") }
        let type = first(#"\n\s*type\s*=\s*"([a-z]+)""#, in: hcl) ?? "service"
        var groups: [(String, Int)] = []
        let pattern = try NSRegularExpression(pattern: #"group\s+"([^"]+)"\s*\{"#)
        let text = hcl as NSString
        for match in pattern.matches(in: hcl, range: NSRange(location: 0, length: text.length)) {
            let name = text.substring(with: match.range(at: 1))
            let rest = text.substring(from: match.range.location + match.range.length)
            // The count is the first `count =` of the group's own body (before a nested block with one).
            let expression = first(#"^[^{}]*?\bcount\s*=\s*([^\n]+)"#, in: rest)?.trimmingCharacters(in: .whitespaces) ?? "1"
            groups.append((name, try count(expression, values)))
        }
        guard !groups.isEmpty else { throw Problem("job \(id) has no group") }
        return Parsed(id: id, type: type, groups: groups)
    }

    private static func count(_ expression: String, _ values: [String: String]) throws -> Int {
        if let literal = Int(expression) { return literal }
        if let conditional = first(#"^var\.(\w+)\s*\?\s*(\d+)\s*:\s*(\d+)$"#, in: expression, groups: 3) {
            return Int(values[conditional[0]] == "true" ? conditional[1] : conditional[2]) ?? 0
        }
        if let name = first(#"^var\.(\w+)$"#, in: expression), let value = values[name].flatMap({ Int($0) }) { return value }
        throw Problem("cannot evaluate count = \(expression)")
    }

    /// Every `variable "x" { default = ... }` with a scalar default.
    private static func defaults(_ hcl: String) -> [String: String] {
        var values: [String: String] = [:]
        guard let pattern = try? NSRegularExpression(pattern: #"variable\s+"(\w+)"\s*\{[^}]*?default\s*=\s*("[^"]*"|[\w.]+)"#) else { return values }
        let text = hcl as NSString
        for match in pattern.matches(in: hcl, range: NSRange(location: 0, length: text.length)) {
            values[text.substring(with: match.range(at: 1))] = text.substring(with: match.range(at: 2)).trimmingCharacters(in: ["\""])
        }
        return values
    }

    private static func first(_ pattern: String, in text: String) -> String? {
        first(pattern, in: text, groups: 1)?.first
    }

    private static func first(_ pattern: String, in text: String, groups: Int) -> [String]? {
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]),
              let match = expression.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length))
        else { return nil }
        return (1...groups).map { (text as NSString).substring(with: match.range(at: $0)) }
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
