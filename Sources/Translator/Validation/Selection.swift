import GlooAPI

/// Gloo's selection rules, shared by validation and translation.
public enum Selection {
    /// The VirtualServices an HTTP gateway serves: by reference when any are listed; else by
    /// labels and/or namespaces (empty or `*` = every namespace); else all.
    public static func virtualServices(for gateway: HttpGateway, in all: [VirtualService]) -> [VirtualService] {
        all.filter(selects(gateway))
    }

    /// Whether `gateway` serves a VirtualService, as a predicate (no copies of what it tests).
    public static func selects(_ gateway: HttpGateway) -> (VirtualService) -> Bool {
        if !gateway.virtualServices.isEmpty {
            let refs = Set(gateway.virtualServices)
            return { refs.contains($0.ref) }
        }
        return {
            matches(namespace: $0.metadata.namespace, allowed: gateway.virtualServiceNamespaces)
                && matches(labels: $0.metadata.labels, selector: gateway.virtualServiceSelector)
        }
    }

    /// The RouteTables a delegation picks, ordered as Gloo orders them (weight, then name). A
    /// selector without namespaces searches the parent's namespace; `*` searches all.
    public static func routeTables(
        for delegation: Delegation, parentNamespace: String, in all: [RouteTable]
    ) -> [RouteTable] {
        switch delegation {
        case .ref(let ref):
            let target = ref.defaultingNamespace(to: parentNamespace)
            return all.filter { $0.ref == target }
        case .selector(let selector):
            guard problem(selector) == nil else { return [] }
            let namespaces = selector.namespaces.isEmpty ? [parentNamespace] : selector.namespaces
            return all.filter { table in
                matches(namespace: table.metadata.namespace, allowed: namespaces)
                    && matches(labels: table.metadata.labels, selector: selector.labels)
                    && selector.expressions.allSatisfy { $0.matches(table.metadata.labels) }
            }
            .sorted { (($0.weight ?? 0), $0.ref) < (($1.weight ?? 0), $1.ref) }
        }
    }

    /// Why a selector selects nothing whatever the tables (Gloo's checks), or nil.
    public static func problem(_ selector: RouteTableSelector) -> String? {
        if !selector.labels.isEmpty && !selector.expressions.isEmpty {
            return "a selector cannot use both labels and expressions"
        }
        for (index, expression) in selector.expressions.enumerated() {
            if let problem = expression.problem { return "expressions[\(index)]: \(problem)" }
        }
        return nil
    }

    static func matches(namespace: String, allowed: [String]) -> Bool {
        allowed.isEmpty || allowed.contains("*") || allowed.contains(namespace)
    }

    static func matches(labels: [String: String], selector: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }
}
