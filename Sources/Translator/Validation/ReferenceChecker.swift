import GlooAPI

/// Checks references between resources: dangling Upstream, UpstreamGroup, RouteTable and Secret
/// references, delegation cycles and prefix rules, Gateways that select nothing.
///
/// `gloo-hashi validate` and the translator use this one implementation. Findings name the
/// referring resource's key and the field.
public struct ReferenceChecker {
    private let resources: ResourceSet
    private let snapshot: ApiSnapshot
    /// Built on first use: translation's scope rarely needs it.
    private var upstreamRefs: Set<ResourceRef>?
    private let upstreamGroups: Set<ResourceRef>
    private let secrets: Set<ResourceRef>
    /// Whether a reference to a Secret the snapshot lacks is an error (false: secrets live elsewhere, as in Vault).
    private let checksSecrets: Bool
    private let rootKey: String
    private let scope: Scope
    private var findings: [Classified] = []
    /// What the findings reported now are about (set as each part is checked).
    private var subject: Subject = .reference

    /// What a finding is about, so translation can tell the ones it reports itself.
    public enum Subject: Sendable, Hashable {
        /// The resource as a whole: a VirtualService without virtualHost (served as nothing, a
        /// warning as in Gloo), a Gateway of no type.
        case structure
        /// A route of a VirtualService or RouteTable, delegation included.
        case routes
        /// A TLS Secret reference (`sslConfig`).
        case tls
        /// A TCP gateway's hosts.
        case tcpHosts
        /// RouteTables that delegate in a circle.
        case delegationCycle
        /// Any other reference to something missing (an UpstreamGroup's destination, a
        /// Gateway's VirtualServices).
        case reference
    }

    /// A finding with what it is about.
    public struct Classified: Sendable, Hashable {
        public var finding: Finding
        public var subject: Subject
    }

    /// What to check.
    public enum Scope: Sendable {
        /// Every reference (`gloo-hashi validate`).
        case everything
        /// Everything but the routes of VirtualServices and RouteTables and VirtualService TLS
        /// references, which translation checks and reports itself, with what the gateway does
        /// about them. Delegation cycles are still found. Skipping them keeps a one-VirtualService
        /// change from re-checking every route.
        case beyondTranslation
    }

    /// Checks `snapshot`; `rootKey` only shapes the keys in the findings. With `checksSecrets`
    /// false, Secrets are taken to live outside the snapshot (Vault) and are not looked for.
    public static func check(
        _ snapshot: ApiSnapshot, rootKey: String = ResourceKey.defaultRootKey, scope: Scope = .everything, checksSecrets: Bool = true
    ) -> [Finding] {
        classified(snapshot, rootKey: rootKey, scope: scope, checksSecrets: checksSecrets).map(\.finding)
    }

    /// `check`'s findings, each with what it is about.
    public static func classified(
        _ snapshot: ApiSnapshot, rootKey: String = ResourceKey.defaultRootKey, scope: Scope = .everything, checksSecrets: Bool = true
    ) -> [Classified] {
        var checker = ReferenceChecker(snapshot: snapshot, rootKey: rootKey, scope: scope, checksSecrets: checksSecrets)
        checker.run()
        return checker.findings.sorted { $0.finding < $1.finding }
    }

    private init(snapshot: ApiSnapshot, rootKey: String, scope: Scope, checksSecrets: Bool) {
        self.scope = scope
        self.checksSecrets = checksSecrets
        resources = snapshot.resources
        self.snapshot = snapshot
        upstreamGroups = Set(snapshot.resources.upstreamGroups.map(\.ref))
        secrets = Set(snapshot.allSecrets.map(\.ref))
        self.rootKey = rootKey
    }

    private mutating func run() {
        let services = resources.virtualServices
        for index in services.indices {
            guard services[index].virtualHost != nil else {
                subject = .structure
                report(.warning, keyText(VirtualService.self, services[index].ref), "virtualHost",
                       "the VirtualService has no virtualHost; it serves nothing")
                continue
            }
            guard scope == .everything else { continue }
            let service = services[index]
            let host = service.virtualHost!
            let key = keyText(VirtualService.self, service.ref)
            subject = .routes
            checkRoutes(host.routes, path: "virtualHost.routes", namespace: service.metadata.namespace, key: key)
            checkOptionRefs(host.optionsConfigRefs, kind: VirtualHostOption.self, namespace: service.metadata.namespace, key: key,
                            path: "virtualHost.optionsConfigRefs")
            if case .secretRef(let ref) = service.sslConfig?.source {
                subject = .tls
                checkSecret(ref, namespace: service.metadata.namespace, key: key, path: "sslConfig.secretRef")
            }
        }
        subject = .routes
        for table in resources.routeTables where scope == .everything {
            checkRoutes(table.routes, path: "routes", namespace: table.metadata.namespace,
                        key: keyText(RouteTable.self, table.ref))
        }
        subject = .reference
        for group in resources.upstreamGroups {
            let key = keyText(UpstreamGroup.self, group.ref)
            for (index, weighted) in group.destinations.enumerated() {
                checkDestination(weighted.destination, namespace: group.metadata.namespace, key: key,
                                 path: "destinations[\(index)].destination")
            }
        }
        let upstreams = resources.upstreams
        subject = .tls
        for index in upstreams.indices {
            if case .secretRef(let ref) = upstreams[index].sslConfig?.source {
                checkSecret(ref, namespace: upstreams[index].metadata.namespace, key: keyText(Upstream.self, upstreams[index].ref),
                            path: "sslConfig.secretRef")
            }
        }
        for gateway in resources.gateways { checkGateway(gateway) }
        subject = .delegationCycle
        checkDelegationGraph()
    }

    // MARK: Routes

    /// `optionsConfigRefs` naming resources the tree lacks (Gloo serves without them: a warning).
    private mutating func checkOptionRefs<R: Resource>(
        _ refs: DelegateOptionsRefs?, kind: R.Type, namespace: String, key: String, path: String
    ) {
        let known = Set(resources.list(R.self).map(\.ref))
        for (index, written) in (refs?.delegateOptions ?? []).enumerated() {
            let ref = written.defaultingNamespace(to: namespace)
            guard !known.contains(ref) else { continue }
            let referenced = keyText(R.self, ref)
            if snapshot.findings.contains(where: { $0.key == referenced && $0.severity == .error }) {
                report(.error, key, "\(path).delegateOptions[\(index)]",
                       "\(R.kind.name) \(ref) is rejected; what names it is not served without it")
            } else {
                report(.warning, key, "\(path).delegateOptions[\(index)]", "\(R.kind.name) \(ref) does not exist; its options are not applied")
            }
        }
    }

    private mutating func checkRoutes(_ routes: [Route], path: String, namespace: String, key: String) {
        for (index, route) in routes.enumerated() {
            let routePath = "\(path)[\(index)]"
            checkOptionRefs(route.optionsConfigRefs, kind: RouteOption.self, namespace: namespace, key: key,
                            path: routePath + ".optionsConfigRefs")
            switch route.action {
            case nil:
                report(.error, key, routePath, "route has no action: set routeAction, redirectAction, directResponseAction or delegateAction")
            case .routeAction(let action):
                checkRouteDestination(action.destination, namespace: namespace, key: key, path: routePath + ".routeAction")
            case .delegateAction(let action):
                checkDelegate(action, route: route, namespace: namespace, key: key, path: routePath)
            case .redirectAction, .directResponseAction, .graphqlApiRef:
                break
            }
        }
    }

    private mutating func checkRouteDestination(_ destination: RouteDestination?, namespace: String, key: String, path: String) {
        switch destination {
        case nil:
            report(.error, key, path, "routeAction needs a destination: single, multi or upstreamGroup")
        case .single(let single):
            checkDestination(single, namespace: namespace, key: key, path: path + ".single")
        case .multi(let multi):
            if multi.destinations.isEmpty { report(.error, key, path + ".multi.destinations", "no destinations") }
            for (index, weighted) in multi.destinations.enumerated() {
                checkDestination(weighted.destination, namespace: namespace, key: key,
                                 path: "\(path).multi.destinations[\(index)].destination")
            }
        case .upstreamGroup(let ref):
            let target = ref.defaultingNamespace(to: namespace)
            if !upstreamGroups.contains(target) {
                report(.error, key, path + ".upstreamGroup", "UpstreamGroup \(target) not found")
            }
        case .clusterHeader, .dynamicForwardProxy:
            break
        }
    }

    private mutating func checkDestination(_ destination: Destination?, namespace: String, key: String, path: String) {
        switch destination?.target {
        case nil:
            report(.error, key, path, "destination needs an upstream or a consul service")
        case .upstream(let ref):
            let target = ref.defaultingNamespace(to: namespace)
            if upstreamRefs == nil {
                upstreamRefs = Set(snapshot.resources.upstreams.lazy.map(\.ref)).union(snapshot.discoveredUpstreams.lazy.map(\.ref))
            }
            if upstreamRefs?.contains(target) != true {
                report(.error, key, path + ".upstream", "Upstream \(target) not found")
            }
        case .consul(let consul):
            if consul.serviceName.isEmpty { report(.error, key, path + ".consul.serviceName", "serviceName is empty") }
        case .kube:
            break
        }
    }

    private mutating func checkSecret(_ ref: ResourceRef, namespace: String, key: String, path: String) {
        let target = ref.defaultingNamespace(to: namespace)
        if checksSecrets, !secrets.contains(target) { report(.error, key, path, "Secret \(target) not found") }
    }

    // MARK: Delegation

    private mutating func checkDelegate(_ action: DelegateAction, route: Route, namespace: String, key: String, path: String) {
        guard let delegation = action.effectiveDelegation else {
            report(.error, key, path + ".delegateAction", "delegateAction needs ref or selector")
            return
        }
        let parent: DelegationRules.Parent
        switch DelegationRules.parent(delegatingWith: route.matchers, route: route, inheriting: nil) {
        case .success(let value): parent = value
        case .failure(let refusal):
            report(.error, key, path + refusal.field, refusal.reason)
            return
        }
        if case .selector(let selector) = delegation, let problem = Selection.problem(selector) {
            report(.warning, key, path + ".delegateAction.selector", problem + "; the route is not served")
            return
        }
        let tables = Selection.routeTables(for: delegation, parentNamespace: namespace, in: resources.routeTables)
        if tables.isEmpty {
            switch delegation {
            case .ref(let ref):
                report(.error, key, path + ".delegateAction.ref", "RouteTable \(ref.defaultingNamespace(to: namespace)) not found")
            case .selector:
                report(.warning, key, path + ".delegateAction.selector", "selector matches no RouteTable")
            }
        }
        // One level: the child routes against the delegating route as written (translation walks
        // the whole chain, with what each level inherits).
        for table in tables {
            let tableKey = keyText(RouteTable.self, table.ref)
            for (index, child) in table.routes.enumerated() {
                if case .failure(let refusal) = DelegationRules.childMatchers(of: child, under: parent) {
                    report(.warning, tableKey, "routes[\(index)]" + refusal.field, refusal.reason + " (delegated from \(key))")
                }
            }
        }
    }

    /// Reports every RouteTable on a delegation cycle, once, naming the cycle.
    private mutating func checkDelegationGraph() {
        var edges: [ResourceRef: [ResourceRef]] = [:]
        for table in resources.routeTables {
            edges[table.ref] = table.routes.flatMap { route -> [ResourceRef] in
                guard case .delegateAction(let action) = route.action, let delegation = action.effectiveDelegation else { return [] }
                return Selection.routeTables(for: delegation, parentNamespace: table.metadata.namespace, in: resources.routeTables)
                    .map(\.ref)
            }
        }
        var state: [ResourceRef: Int] = [:]  // 1 = on the stack, 2 = done
        var stack: [ResourceRef] = []
        var reported: Set<ResourceRef> = []
        func visit(_ node: ResourceRef, _ checker: inout ReferenceChecker) {
            state[node] = 1
            stack.append(node)
            for next in edges[node] ?? [] {
                if state[next] == 1, let start = stack.firstIndex(of: next) {
                    let cycle = Array(stack[start...])
                    let text = (cycle + [next]).map(\.description).joined(separator: " -> ")
                    for member in cycle where !reported.contains(member) {
                        reported.insert(member)
                        checker.report(.error, checker.keyText(RouteTable.self, member), "routes", "delegation cycle: \(text)")
                    }
                } else if state[next] == nil {
                    visit(next, &checker)
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for table in resources.routeTables.map(\.ref) where state[table] == nil {
            visit(table, &self)
        }
    }

    // MARK: Gateways

    private mutating func checkGateway(_ gateway: Gateway) {
        let key = keyText(Gateway.self, gateway.ref)
        switch gateway.gatewayType {
        case nil:
            subject = .structure
            report(.error, key, "", "a Gateway needs httpGateway, tcpGateway or hybridGateway")
        case .httpGateway(let http):
            checkHttpGateway(http, gateway: gateway, key: key, prefix: "")
        case .tcpGateway(let tcp):
            checkTcpGateway(tcp, gateway: gateway, key: key, prefix: "")
        case .hybridGateway(let hybrid):
            for (index, matched) in hybrid.matchedGateways.enumerated() {
                let prefix = "hybridGateway.matchedGateways[\(index)]."
                switch matched.gatewayType {
                case .httpGateway(let http): checkHttpGateway(http, gateway: gateway, key: key, prefix: prefix)
                case .tcpGateway(let tcp): checkTcpGateway(tcp, gateway: gateway, key: key, prefix: prefix)
                case nil:
                    subject = .structure
                    report(.error, key, String(prefix.dropLast()), "a matched gateway needs httpGateway or tcpGateway")
                }
            }
        }
    }

    private mutating func checkHttpGateway(_ http: HttpGateway, gateway: Gateway, key: String, prefix: String) {
        subject = .reference
        let serviceRefs = http.virtualServices.isEmpty ? [] : Set(resources.virtualServices.lazy.map(\.ref))
        for (index, ref) in http.virtualServices.enumerated()
        where !serviceRefs.contains(ref.defaultingNamespace(to: gateway.metadata.namespace)) {
            report(.error, key, prefix + "httpGateway.virtualServices[\(index)]",
                   "VirtualService \(ref.defaultingNamespace(to: gateway.metadata.namespace)) not found")
        }
        if !resources.virtualServices.contains(where: Selection.selects(http)) {
            report(.warning, key, prefix + "httpGateway", "selects no VirtualServices; its listener would serve nothing")
        }
    }

    private mutating func checkTcpGateway(_ tcp: TcpGateway, gateway: Gateway, key: String, prefix: String) {
        subject = .tcpHosts
        if tcp.tcpHosts.isEmpty { report(.warning, key, prefix + "tcpGateway.tcpHosts", "no TCP hosts") }
        for (index, host) in tcp.tcpHosts.enumerated() {
            let path = prefix + "tcpGateway.tcpHosts[\(index)].destination"
            switch host.destination?.target {
            case .single(let single):
                checkDestination(single, namespace: gateway.metadata.namespace, key: key, path: path + ".single")
            case .multi(let multi):
                for (destinationIndex, weighted) in multi.destinations.enumerated() {
                    checkDestination(weighted.destination, namespace: gateway.metadata.namespace, key: key,
                                     path: "\(path).multi.destinations[\(destinationIndex)].destination")
                }
            case .upstreamGroup(let ref):
                if !upstreamGroups.contains(ref.defaultingNamespace(to: gateway.metadata.namespace)) {
                    report(.error, key, path + ".upstreamGroup", "UpstreamGroup \(ref.defaultingNamespace(to: gateway.metadata.namespace)) not found")
                }
            case .forwardSniClusterName: break
            case nil: report(.error, key, path, "TCP host needs a destination")
            }
        }
    }

    // MARK: Helpers

    private func keyText<R: Resource>(_ type: R.Type, _ ref: ResourceRef) -> String {
        ResourceKey(rootKey: rootKey, kind: R.kind, namespace: ref.namespace, name: ref.name).key
    }

    private mutating func report(_ severity: Severity, _ key: String, _ path: String, _ reason: String) {
        findings.append(Classified(finding: Finding(severity, key: key, fieldPath: path, reason: reason), subject: subject))
    }
}
