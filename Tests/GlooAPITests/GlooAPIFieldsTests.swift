import Foundation
import GlooAPI
import Testing

/// No field of Gloo's v1 API is an `unknown field` here: each is translated, or reported by name
/// as unsupported (ignored with a warning, or rejecting the resource when ignoring it would change
/// security or what reaches the upstream). The list is made from Gloo's published schemas by
/// scripts/gloo_api_fields.py.
@Suite struct GlooAPIFieldsTests {
    struct Field: CustomStringConvertible {
        var kind: String
        var path: String
        var leaf: String
        var description: String { "\(kind) \(path)" }
    }

    static let fields: [Field] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gloo-v1-fields.txt")
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: "\t").map(String.init)
            return parts.count == 3 ? Field(kind: parts[0], path: parts[1], leaf: parts[2]) : nil
        }
    }()

    /// The smallest resource that sets `path`: objects and one-element lists and maps down to a leaf.
    static func document(_ path: String, leaf: String) -> ConfigValue {
        var value: ConfigValue = switch leaf {
        case "string": .string("1")
        case "boolean": .bool(true)
        case "integer", "number": .number("1")
        default: .map([])
        }
        for segment in path.split(separator: ".").reversed() {
            var name = Substring(segment)
            var wrappers: [Character] = []
            while let last = name.last, last == "]" || last == "}" {
                wrappers.append(last)
                name = name.dropLast(2)
            }
            for wrapper in wrappers { value = wrapper == "]" ? .list([value]) : .map([ConfigEntry("k", value)]) }
            value = .map([ConfigEntry(String(name), value)])
        }
        return value
    }

    static func decode(_ field: Field) -> [FieldProblem] {
        let tree = document(field.path, leaf: field.leaf)
        func problems<R: Resource>(_ type: R.Type) -> [FieldProblem] {
            let key = ResourceKey(kind: R.kind, namespace: "gloo-system", name: "probe")
            return ResourceCodec.decode(type, from: tree, key: key).problems
        }
        return switch field.kind {
        case "Gateway": problems(Gateway.self)
        case "VirtualService": problems(VirtualService.self)
        case "RouteTable": problems(RouteTable.self)
        case "Upstream": problems(Upstream.self)
        case "UpstreamGroup": problems(UpstreamGroup.self)
        case "Settings": problems(Settings.self)
        case "Secret": problems(Secret.self)
        default: [FieldProblem(.error, fieldPath: "", reason: "no such kind \(field.kind)")]
        }
    }

    @Test func theListCoversEveryKindGlooHashiReads() {
        #expect(Set(Self.fields.map(\.kind)) == ["Gateway", "VirtualService", "RouteTable", "Upstream", "UpstreamGroup", "Settings", "Secret"])
        #expect(Self.fields.count > 5000)
    }

    @Test func noFieldOfGloosAPIIsUnknown() {
        var unknown: [String] = []
        for field in Self.fields {
            for problem in Self.decode(field) where problem.reason.hasPrefix("unknown field") {
                unknown.append("\(field.kind) \(problem.fieldPath): \(problem.reason)")
            }
        }
        #expect(unknown.isEmpty, Comment(rawValue: "\(unknown.count) fields of Gloo's API are unknown:\n" + unknown.joined(separator: "\n")))
    }

    /// docs/gloo-fields.md, made from the decoder's own answers: per kind, every field that
    /// rejects its resource and every field that is ignored with a warning. Run with
    /// `UPDATE_GOLDEN=1` to rewrite it.
    @Test func theTableOfUnsupportedFieldsIsCurrent() throws {
        var rejected: [String: Set<String>] = [:]
        var ignored: [String: Set<String>] = [:]
        for field in Self.fields {
            for problem in Self.decode(field) where problem.reason.contains("not supported") {
                let path = Self.pattern(problem.fieldPath)
                if problem.severity == .error { rejected[field.kind, default: []].insert(path) } else { ignored[field.kind, default: []].insert(path) }
            }
        }
        var text = """
            # Gloo fields gloo-hashi does not translate

            Made by `GlooAPIFieldsTests` from every field of Gloo's v1 API (`Tests/GlooAPITests/Fixtures/gloo-v1-fields.txt`,
            listed from Gloo's published schemas by `scripts/gloo_api_fields.py`); `UPDATE_GOLDEN=1 swift test --filter
            GlooAPIFieldsTests` rewrites it. Every field not named here is translated (or, for statuses and metadata, read as
            Gloo writes them); no field of Gloo's API is an unknown field. A field under a named one is covered by it.

            - **Rejects the resource**: serving it without the feature would change its security or what reaches the upstream.
            - **Ignored, with a warning**: the resource is served without it.

            """
        for kind in ["Gateway", "VirtualService", "RouteTable", "Upstream", "UpstreamGroup", "Settings", "Secret"] {
            text += "\n## \(kind)\n"
            for (title, paths) in [("Rejects the resource", rejected[kind] ?? []), ("Ignored, with a warning", ignored[kind] ?? [])] {
                text += "\n\(title):\(paths.isEmpty ? " none." : "")\n"
                if !paths.isEmpty { text += "\n" + paths.sorted().map { "- `\($0)`\n" }.joined() }
            }
        }
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/gloo-fields.md").standardized
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let current = try String(contentsOf: file, encoding: .utf8)
        #expect(current == text, "docs/gloo-fields.md is out of date: run UPDATE_GOLDEN=1 swift test --filter GlooAPIFieldsTests")
    }

    /// A reported path as a pattern: list positions and map keys as `[]`.
    static func pattern(_ path: String) -> String {
        path.replacingOccurrences(of: #"\[[0-9]+\]"#, with: "[]", options: .regularExpression)
            .replacingOccurrences(of: ".k.", with: "{}.").replacingOccurrences(of: #"\.k$"#, with: "{}", options: .regularExpression)
    }
}
