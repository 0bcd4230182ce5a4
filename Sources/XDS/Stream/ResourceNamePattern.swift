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
        guard let collectionPrefix, name.hasPrefix(collectionPrefix) else { return false }
        return !name.dropFirst(collectionPrefix.count).contains("/")
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
