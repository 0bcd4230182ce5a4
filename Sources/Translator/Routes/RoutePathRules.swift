/// Gloo's checks on the paths a route matches, rewrites to or redirects to (RFC 3986 `pchar`
/// characters, no `//`, `/./`, `/../`, encoded slashes or fragments, no trailing `/.` or `/..`):
/// with paths normalized, such a prefix could never match, and such a rewrite would undo the
/// normalization.
enum RoutePathRules {
    private static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/:@._~!$&'()*+,=;-%")
    private static let sequences = ["//", "/./", "/../", "%2f", "%2F", "#"]
    private static let suffixes = ["/..", "/."]

    /// Why `path` cannot be used, or nil (an empty path is fine).
    static func problem(_ path: String) -> String? {
        guard !path.isEmpty else { return nil }
        if let bad = path.first(where: { !allowed.contains($0) }) { return "'\(path)' has the character '\(bad)', which a path may not" }
        let characters = Array(path.utf8)
        for (index, byte) in characters.enumerated() where byte == UInt8(ascii: "%") {
            let hex = characters.dropFirst(index + 1).prefix(2)
            if hex.count < 2 || !hex.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }) {
                return "'\(path)' has a '%' that is not followed by two hex digits"
            }
        }
        if let bad = sequences.first(where: path.contains) { return "'\(path)' contains '\(bad)'" }
        if let bad = suffixes.first(where: path.hasSuffix) { return "'\(path)' ends with '\(bad)'" }
        return nil
    }

    /// A prefix rewrite is checked as the path part of a URL (a query after `?` is not checked).
    static func rewriteProblem(_ rewrite: String) -> String? {
        problem(String(rewrite.prefix { $0 != "?" }))
    }
}
