/// A kind of Gloo resource: its API group, version, name and who reports its status.
public struct ResourceKind: Hashable, Sendable, CustomStringConvertible {
    /// `gloo.solo.io` or `gateway.solo.io`.
    public var group: String
    public var version: String
    /// `Upstream`, `VirtualService`, ...
    public var name: String
    /// Lower-case plural used on the command line (`virtualservices`).
    public var plural: String
    /// Short names Gloo's CLI accepts (`vs`, `us`, ...).
    public var shortNames: [String]
    /// The reporter Gloo writes statuses as: `gateway` or `gloo`.
    public var reporter: String

    public var description: String { name }

    /// `gloo.solo.io/v1/Upstream`: the part of a key between the root and the namespace.
    public var keySegment: String { "\(group)/\(version)/\(name)" }

    public static let upstream = ResourceKind(
        group: "gloo.solo.io", version: "v1", name: "Upstream", plural: "upstreams", shortNames: ["us"],
        reporter: "gloo")
    public static let upstreamGroup = ResourceKind(
        group: "gloo.solo.io", version: "v1", name: "UpstreamGroup", plural: "upstreamgroups", shortNames: ["ug"],
        reporter: "gloo")
    public static let proxy = ResourceKind(
        group: "gloo.solo.io", version: "v1", name: "Proxy", plural: "proxies", shortNames: ["px"], reporter: "gloo")
    public static let secret = ResourceKind(
        group: "gloo.solo.io", version: "v1", name: "Secret", plural: "secrets", shortNames: ["secret"],
        reporter: "gloo")
    public static let artifact = ResourceKind(
        group: "gloo.solo.io", version: "v1", name: "Artifact", plural: "artifacts", shortNames: ["art"],
        reporter: "gloo")
    public static let endpoint = ResourceKind(
        group: "gloo.solo.io", version: "v1", name: "Endpoint", plural: "endpoints", shortNames: ["ep"],
        reporter: "gloo")
    public static let settings = ResourceKind(
        group: "gloo.solo.io", version: "v1", name: "Settings", plural: "settings", shortNames: ["st"],
        reporter: "gloo")
    public static let gateway = ResourceKind(
        group: "gateway.solo.io", version: "v1", name: "Gateway", plural: "gateways", shortNames: ["gw"],
        reporter: "gateway")
    public static let virtualService = ResourceKind(
        group: "gateway.solo.io", version: "v1", name: "VirtualService", plural: "virtualservices",
        shortNames: ["vs"], reporter: "gateway")
    public static let routeTable = ResourceKind(
        group: "gateway.solo.io", version: "v1", name: "RouteTable", plural: "routetables", shortNames: ["rt"],
        reporter: "gateway")

    public static let virtualHostOption = ResourceKind(
        group: "gateway.solo.io", version: "v1", name: "VirtualHostOption", plural: "virtualhostoptions",
        shortNames: ["vho"], reporter: "gateway")
    public static let routeOption = ResourceKind(
        group: "gateway.solo.io", version: "v1", name: "RouteOption", plural: "routeoptions", shortNames: ["rto"],
        reporter: "gateway")

    /// Every kind gloo-hashi reads from a KV tree.
    public static let all: [ResourceKind] = [
        .upstream, .upstreamGroup, .proxy, .secret, .artifact, .endpoint, .settings, .gateway, .virtualService,
        .routeTable, .virtualHostOption, .routeOption,
    ]

    /// The kind named by `group/version/Kind`, if gloo-hashi knows it.
    public static func find(group: String, version: String, name: String) -> ResourceKind? {
        all.first { $0.group == group && $0.version == version && $0.name == name }
    }

    /// The kind a user names on the command line: `VirtualService`, `virtualservices`, `vs`, ...
    public static func named(_ text: String) -> ResourceKind? {
        let lowered = text.lowercased()
        return all.first {
            $0.name.lowercased() == lowered || $0.plural == lowered || $0.shortNames.contains(lowered)
                || $0.name.lowercased() + "s" == lowered
        }
    }
}
