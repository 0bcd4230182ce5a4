import GlooAPI

/// How the watch of a large KV tree is split into blocking queries on parts of the key space, so
/// that one changed key brings back its part and not the whole tree (at 5,000 VirtualServices
/// a recursive answer is 15 MB). Parts are key prefixes (recursive reads) or single keys, in key
/// order; together they cover every key the plan was made from.
public struct KVWatchPlan: Hashable, Sendable {
    /// One blocking query of the plan.
    public enum Part: Hashable, Sendable {
        /// Every key that starts with this (a recursive read).
        case prefix(String)
        /// Exactly this key (a plain read): a key that is also the prefix of other keys.
        case key(String)

        /// The prefix or key, as Consul compares it (bytes).
        public var text: String {
            switch self {
            case .prefix(let text), .key(let text): text
            }
        }

        /// Whether `key` is read by this part.
        public func covers(_ key: String) -> Bool {
            switch self {
            case .prefix(let prefix): key.utf8.starts(with: prefix.utf8)
            case .key(let exact): key.utf8.elementsEqual(exact.utf8)
            }
        }
    }

    /// The watched prefix.
    public let prefix: String
    /// The parts in key order (by bytes, as Consul orders keys).
    public let parts: [Part]

    /// Whether the plan is one recursive query on the whole prefix.
    public var isWhole: Bool { parts == [.prefix(prefix)] }

    /// The plan with one part, the whole prefix.
    public static func whole(_ prefix: String) -> KVWatchPlan { KVWatchPlan(prefix: prefix, parts: [.prefix(prefix)]) }

    /// Splits `entries` (keys under `prefix`) until no part holds more than about `targetBytes` of
    /// Consul's answer, or the plan has `maximumParts`: the largest part is split first, by the
    /// character after its prefix (a run of keys sharing more characters is followed to where they
    /// differ). A tree of at most `wholeBelow` bytes stays one part.
    public static func make(
        prefix: String, entries: [KVEntry], targetBytes: Int, maximumParts: Int, wholeBelow: Int
    ) -> KVWatchPlan {
        let keys = entries.map { Array($0.key.utf8) }
        let sizes = entries.map(answerBytes)
        let total = sizes.reduce(0, +)
        guard total > wholeBelow, maximumParts > 1 else { return .whole(prefix) }
        var leaves = [Node(prefix: Array(prefix.utf8), exact: false, members: Array(keys.indices), bytes: total)]
        var settled = Set<Int>()
        while true {
            let candidates = leaves.indices.filter { !settled.contains($0) && !leaves[$0].exact && leaves[$0].bytes > targetBytes }
            guard let largest = candidates.max(by: { leaves[$0].bytes < leaves[$1].bytes }) else { break }
            guard let children = leaves[largest].split(keys, sizes), leaves.count - 1 + children.count <= maximumParts else {
                settled.insert(largest)
                continue
            }
            leaves.replaceSubrange(largest...largest, with: children)
            // Positions after the split moved: settled leaves are found again by identity.
            settled = Set(settled.map { $0 > largest ? $0 + children.count - 1 : $0 })
        }
        leaves.sort { left, right in
            left.prefix == right.prefix ? left.exact && !right.exact : left.prefix.lexicographicallyPrecedes(right.prefix)
        }
        return KVWatchPlan(prefix: prefix, parts: leaves.map { leaf in
            let text = String(decoding: leaf.prefix, as: UTF8.self)
            return leaf.exact ? .key(text) : .prefix(text)
        })
    }

    /// Whether some part reads `key`.
    public func covers(_ key: String) -> Bool { part(for: key) != nil }

    /// The position of the part that reads `key`, found by bisection (parts are in key order).
    public func part(for key: String) -> Int? {
        let bytes = Array(key.utf8)
        var low = 0, high = parts.count
        while low < high {
            let middle = (low + high) / 2
            if Array(parts[middle].text.utf8).lexicographicallyPrecedes(bytes) || parts[middle].text.utf8.elementsEqual(bytes) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        // The last part at or before the key; an exact key part sorts just before its children.
        for candidate in [low - 1, low - 2] where candidate >= 0 && parts[candidate].covers(key) {
            return candidate
        }
        return nil
    }

    /// About what one entry adds to Consul's JSON answer: the key, the value in base64, the fields.
    public static func answerBytes(_ entry: KVEntry) -> Int {
        entry.key.utf8.count + (entry.value.count + 2) / 3 * 4 + 100
    }

    /// A leaf while planning: a prefix (or exact key) and the keys under it.
    private struct Node {
        var prefix: [UInt8]
        var exact: Bool
        var members: [Int]
        var bytes: Int

        /// The children by the character after the prefix (whole UTF-8 sequences), following a
        /// run the keys share; nil when the keys cannot be told apart by a longer prefix.
        func split(_ keys: [[UInt8]], _ sizes: [Int]) -> [Node]? {
            var stem = prefix
            while true {
                var exactMembers: [Int] = []
                var groups: [[UInt8]: [Int]] = [:]
                for member in members {
                    let key = keys[member]
                    guard key.count > stem.count else { exactMembers.append(member); continue }
                    let lead = key[stem.count]
                    let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                    groups[Array(key[..<min(key.count, stem.count + length)]), default: []].append(member)
                }
                if exactMembers.isEmpty, groups.count == 1, let only = groups.first {
                    stem = only.key
                    continue
                }
                if groups.isEmpty { return nil }
                var children = groups.map { Node(prefix: $0.key, exact: false, members: $0.value, bytes: $0.value.reduce(0) { $0 + sizes[$1] }) }
                if !exactMembers.isEmpty {
                    children.append(Node(prefix: stem, exact: true, members: exactMembers, bytes: exactMembers.reduce(0) { $0 + sizes[$1] }))
                }
                return children
            }
        }
    }
}
