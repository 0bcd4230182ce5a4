/// Where a resource lives in a KV tree: `<rootKey>/<group>/<version>/<Kind>/<namespace>/<name>`.
public struct ResourceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let defaultRootKey = "gloo"

    public var rootKey: String
    public var kind: ResourceKind
    public var namespace: String
    public var name: String

    public init(rootKey: String = ResourceKey.defaultRootKey, kind: ResourceKind, namespace: String, name: String) {
        self.rootKey = rootKey
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The Consul key.
    public var key: String {
        // Built by appending (this runs for every resource on every translation).
        var key = ""
        key.reserveCapacity(rootKey.utf8.count + kind.group.utf8.count + kind.version.utf8.count + kind.name.utf8.count
                                + namespace.utf8.count + name.utf8.count + 5)
        key += rootKey
        key += "/"
        key += kind.group
        key += "/"
        key += kind.version
        key += "/"
        key += kind.name
        key += "/"
        key += namespace
        key += "/"
        key += name
        return key
    }
    public var description: String { key }
    public var ref: ResourceRef { ResourceRef(name: name, namespace: namespace) }

    /// `gloo/gloo.solo.io/v1/Upstream/`: every key of one kind starts with this.
    public static func kindPrefix(rootKey: String = defaultRootKey, kind: ResourceKind) -> String {
        "\(rootKey)/\(kind.keySegment)/"
    }

    /// `gloo/gloo.solo.io/v1/Upstream/gloo-system/`, with the trailing slash (Gloo forgot it, so
    /// listing `gloo` also matched `gloo-system`).
    public static func namespacePrefix(rootKey: String = defaultRootKey, kind: ResourceKind, namespace: String) -> String {
        "\(kindPrefix(rootKey: rootKey, kind: kind))\(namespace)/"
    }

    /// `gloo/.control/`: keys the controllers keep for themselves (the leader lock), never
    /// resources; listings skip them.
    public static func controlPrefix(rootKey: String = defaultRootKey) -> String {
        "\(rootKey)/.control/"
    }

    /// Parses a key, or says exactly why it does not fit the layout.
    public static func parse(_ key: String, rootKey: String = defaultRootKey) -> Result<ResourceKey, KeyLayoutError> {
        let layout = "\(rootKey)/<group>/<version>/<Kind>/<namespace>/<name>"
        guard key.hasPrefix(rootKey + "/") else {
            return .failure(KeyLayoutError(key: key, reason: "key is not under the root key '\(rootKey)/'"))
        }
        let segments = key.dropFirst(rootKey.count + 1).split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        guard segments.count >= 3 else {
            return .failure(KeyLayoutError(key: key, reason: "key does not fit the layout \(layout)"))
        }
        guard let kind = ResourceKind.find(group: segments[0], version: segments[1], name: segments[2]) else {
            let known = ResourceKind.all.map(\.keySegment).joined(separator: ", ")
            return .failure(KeyLayoutError(
                key: key, reason: "unknown kind '\(segments[0...2].joined(separator: "/"))'; known kinds: \(known)"))
        }
        guard segments.count == 5 else {
            let reason = segments.count == 4
                ? "key has no namespace segment; expected \(rootKey)/\(kind.keySegment)/<namespace>/<name>"
                : "key does not fit the layout \(layout): names may not contain '/'"
            return .failure(KeyLayoutError(key: key, reason: reason))
        }
        if let problem = ResourceName.problem(with: segments[3], role: "namespace") {
            return .failure(KeyLayoutError(key: key, reason: problem))
        }
        if let problem = ResourceName.problem(with: segments[4], role: "name") {
            return .failure(KeyLayoutError(key: key, reason: problem))
        }
        return .success(ResourceKey(rootKey: rootKey, kind: kind, namespace: segments[3], name: segments[4]))
    }

    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool { lhs.key < rhs.key }
}

/// A key that does not fit the layout, with the reason.
public struct KeyLayoutError: Error, Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var reason: String
    public var description: String { "\(key): \(reason)" }
}

/// The rules for resource names and namespaces.
public enum ResourceName {
    public static let maximumLength = 253

    /// A name for something discovered elsewhere (Consul and Nomad services and instances): the
    /// text itself when every character may stand in a name, else with the others as `-`.
    public static func from(_ text: String) -> String {
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_".unicodeScalars.contains(scalar))
        }
        if !text.isEmpty, text.unicodeScalars.allSatisfy(allowed) { return text }
        return String(text.unicodeScalars.map { allowed($0) ? Character($0) : "-" })
    }

    /// Nil when `text` is a valid name; else why not. Names are letters, digits, `-`, `_` and `.`,
    /// start and end with a letter or digit, and never contain `/`.
    public static func problem(with text: String, role: String = "name") -> String? {
        if text.isEmpty { return "\(role) may not be empty" }
        if text.count > maximumLength { return "\(role) is longer than \(maximumLength) characters" }
        if text.contains("/") { return "\(role) '\(text)' may not contain '/'" }
        let allowed = text.unicodeScalars.allSatisfy {
            ($0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == ".")
        }
        guard allowed else {
            return "\(role) '\(text)' may contain only letters, digits, '-', '_' and '.'"
        }
        let first = text.unicodeScalars.first!, last = text.unicodeScalars.last!
        let isAlphanumeric: (Unicode.Scalar) -> Bool = {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        }
        guard isAlphanumeric(first), isAlphanumeric(last) else {
            return "\(role) '\(text)' must start and end with a letter or digit"
        }
        return nil
    }
}
