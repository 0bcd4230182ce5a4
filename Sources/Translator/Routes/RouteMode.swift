import GlooAPI

/// How one HTTP filter chain's routes reach Envoy.
public enum RouteMode: String, Sendable, Hashable {
    /// One RouteConfiguration with a virtual host per VirtualService (RDS).
    case single
    /// One RouteConfiguration per VirtualService, selected by a routing scope keyed on the
    /// request's host without its port (scoped RDS): a VirtualService edit changes one small
    /// resource instead of the whole table.
    case scoped
}

/// The route mode chosen for one HTTP filter chain, and why: shown by `translate` and the admin API.
public struct RouteModeDecision: Sendable, Hashable {
    public var gateway: ResourceRef
    public var listener: String
    /// The chain's RouteConfiguration in single mode; the base of its scope collection in scoped mode.
    public var routeConfiguration: String
    public var mode: RouteMode
    public var reason: String
}

/// The per-Gateway override, a Gloo-compatible annotation (Gloo ignores it):
/// `gloo-hashi.io/route-mode: auto | single | scoped`.
enum RouteModeChoice: String {
    case auto, single, scoped

    static let annotation = "gloo-hashi.io/route-mode"

    /// What `gateway` asks for, or why its annotation is not understood.
    static func of(_ gateway: Gateway) -> Result<RouteModeChoice, FieldProblem> {
        guard let value = gateway.metadata.annotations[annotation] else { return .success(.auto) }
        guard let choice = RouteModeChoice(rawValue: value.lowercased()) else {
            return .failure(FieldProblem(.warning, fieldPath: "metadata.annotations.\(annotation)",
                                         reason: "'\(value)' is not auto, single or scoped; using auto"))
        }
        return .success(choice)
    }

    /// The mode for the VirtualServices of one chain: scoped needs every domain to be an exact
    /// host name (scoped routes cannot match wildcards, envoy#19098) and keys unique per chain.
    func decide(for services: some Collection<VirtualService>) -> (mode: RouteMode, reason: String) {
        if self == .single { return (.single, "set by the \(Self.annotation) annotation") }
        if let blocker = Self.scopedBlocker(services) {
            return (.single, blocker)
        }
        return (.scoped, self == .scoped ? "set by the \(Self.annotation) annotation" : "every VirtualService has exact domains")
    }

    /// Why `services` cannot be served in scoped mode, or nil when they can.
    static func scopedBlocker(_ services: some Collection<VirtualService>) -> String? {
        if services.isEmpty { return "no VirtualService to scope" }
        var owners: [String: ResourceRef] = [:]
        for service in services {
            let domains = service.virtualHost?.domains ?? []
            if domains.isEmpty { return "VirtualService \(service.ref) has no domains (it matches every host)" }
            for domain in domains {
                if domain.utf8.contains(0x2a) {
                    return "VirtualService \(service.ref) has the wildcard domain '\(domain)' (scoped routes match exact hosts only)"
                }
                guard !domain.isEmpty, domain.utf8.allSatisfy(EnvoyNames.isUnreserved) else {
                    return "VirtualService \(service.ref) has the domain '\(domain)', which is not a plain host name (a port or other characters)"
                }
                let key = domain.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5a }) ? domain.lowercased() : domain
                if let owner = owners[key], owner != service.ref {
                    return "domain '\(domain)' of VirtualService \(service.ref) differs only in case from one of \(owner)"
                }
                owners[key] = service.ref
            }
        }
        return nil
    }
}

extension RouteModeDecision {
    /// The decision as a JSON object, for `translate` and the admin API.
    public var jsonObject: [String: String] {
        ["gateway": gateway.description, "listener": listener, "route_configuration": routeConfiguration,
         "mode": mode.rawValue, "reason": reason]
    }
}
