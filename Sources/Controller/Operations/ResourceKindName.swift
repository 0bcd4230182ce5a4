import GlooAPI

/// Gloo's kind names on the command line, as glooctl takes them: the kind (`VirtualService`,
/// `virtualservice`), its plural (`virtualservices`) or a short form (`vs`, `us`, `rt`, `gw`,
/// `ug`, `secret`).
public enum ResourceKindName {
    /// The kinds operators manage.
    public static let managed: [ResourceKind] = [
        .gateway, .virtualService, .routeTable, .virtualHostOption, .routeOption, .upstream, .upstreamGroup, .secret,
    ]

    public static func parse(_ text: String) -> ResourceKind? {
        let name = text.lowercased()
        return managed.first { kind in
            kind.name.lowercased() == name || kind.plural == name || kind.shortNames.contains(name)
        }
    }

    /// The names accepted, for error messages.
    public static var accepted: String {
        managed.map { "\($0.name.lowercased()) (\($0.shortNames.joined(separator: ", ")))" }.joined(separator: ", ")
    }
}
