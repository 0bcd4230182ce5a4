/// A name in a subscription: a plain resource name, or an `xdstp://` glob collection
/// (`xdstp://authority/type/collection/*`) that matches every resource directly in that collection.
/// Envoy subscribes to scoped-route collections this way (`srds_resources_locator`).
struct ResourceNamePattern: Hashable, Sendable {
    /// `xdstp://authority/type/collection/` for a glob; nil for a plain name.
    let collectionPrefix: String?

    init(_ name: String) {
        collectionPrefix = name.hasPrefix("xdstp://") && name.hasSuffix("/*") ? String(name.dropLast()) : nil
    }

    /// Whether `name` belongs to the glob collection.
    func contains(_ name: String) -> Bool {
        guard let collectionPrefix else { return false }
        let prefix = collectionPrefix.utf8
        let bytes = name.utf8
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return false }
        return !bytes.dropFirst(prefix.count).contains(UInt8(ascii: "/"))
    }

    /// Whether `names` subscribe to `name`, by name or by glob collection.
    static func subscribes(_ names: Set<String>, to name: String) -> Bool {
        names.contains(name) || names.contains { ResourceNamePattern($0).contains(name) }
    }

    /// The resources of `all` that `names` subscribe to, plain names and glob collections alike.
    static func select(_ names: Set<String>, from all: [String: XDSResource]) -> [XDSResource] {
        let globs = names.map(ResourceNamePattern.init).filter { $0.collectionPrefix != nil }
        if globs.isEmpty { return names.compactMap { all[$0] } }
        return all.values.filter { resource in
            names.contains(resource.name) || globs.contains { $0.contains(resource.name) }
        }
    }
}
