import GlooAPI

/// Gloo's `optionsConfigRefs`: the options of the VirtualHostOption and RouteOption resources a
/// virtual host or route names fill what its own options leave unset, earlier references first
/// (Gloo's ShallowMerge of options). A missing resource is a warning and is skipped, as in Gloo;
/// a rejected one (it may carry an option gloo-hashi cannot enforce) refuses what names it.
struct DelegatedOptions: Hashable, Sendable {
    var virtualHost: [ResourceRef: VirtualHostOptions] = [:]
    var route: [ResourceRef: RouteOptions] = [:]
    var rejectedVirtualHost: Set<ResourceRef> = []
    var rejectedRoute: Set<ResourceRef> = []

    init() {}

    /// From the snapshot: the resources by reference, and those whose values were rejected.
    init(_ resources: ResourceSet, findings: [Finding], rootKey: String) {
        for option in resources.virtualHostOptions { virtualHost[option.ref] = option.options ?? VirtualHostOptions() }
        for option in resources.routeOptions { route[option.ref] = option.options ?? RouteOptions() }
        for finding in findings where finding.severity == .error {
            guard case .success(let key) = ResourceKey.parse(finding.key, rootKey: rootKey) else { continue }
            if key.kind == .virtualHostOption { rejectedVirtualHost.insert(key.ref) }
            if key.kind == .routeOption { rejectedRoute.insert(key.ref) }
        }
    }

    /// What merging found wrong, by field under the options' owner.
    struct Outcome<Options> {
        var options: Options?
        /// References to resources that do not exist (served without them).
        var missing: [(field: String, ref: ResourceRef)] = []
        /// The first reference to a rejected resource (nothing is served).
        var rejected: (field: String, ref: ResourceRef)?
    }

    func routeOptions(_ own: RouteOptions?, refs: DelegateOptionsRefs?, namespace: String) -> Outcome<RouteOptions> {
        merged(own, refs: refs, namespace: namespace, found: route, rejected: rejectedRoute) {
            RouteOptions.merging(parent: $1, child: $0)
        }
    }

    func virtualHostOptions(_ own: VirtualHostOptions?, refs: DelegateOptionsRefs?, namespace: String) -> Outcome<VirtualHostOptions> {
        merged(own, refs: refs, namespace: namespace, found: virtualHost, rejected: rejectedVirtualHost) {
            VirtualHostOptions.merging(parent: $1, child: $0)
        }
    }

    private func merged<Options>(
        _ own: Options?, refs: DelegateOptionsRefs?, namespace: String, found: [ResourceRef: Options], rejected: Set<ResourceRef>,
        merge: (Options?, Options) -> Options?
    ) -> Outcome<Options> {
        var outcome = Outcome(options: own)
        for (index, written) in (refs?.delegateOptions ?? []).enumerated() {
            let ref = written.defaultingNamespace(to: namespace)
            let field = "optionsConfigRefs.delegateOptions[\(index)]"
            if rejected.contains(ref) {
                outcome.rejected = (field, ref)
                return outcome
            }
            guard let options = found[ref] else {
                outcome.missing.append((field, ref))
                continue
            }
            outcome.options = merge(outcome.options, options)
        }
        return outcome
    }
}

extension VirtualHostOptions {
    /// The child's options, with every translated field it leaves unset taken from the parent.
    static func merging(parent: VirtualHostOptions?, child: VirtualHostOptions?) -> VirtualHostOptions? {
        guard let parent else { return child }
        guard var merged = child else { return parent }
        merged.headerManipulation = merged.headerManipulation ?? parent.headerManipulation
        merged.cors = merged.cors ?? parent.cors
        merged.retries = merged.retries ?? parent.retries
        merged.bufferPerRoute = merged.bufferPerRoute ?? parent.bufferPerRoute
        merged.csrf = merged.csrf ?? parent.csrf
        merged.ratelimit = merged.ratelimit ?? parent.ratelimit
        return merged
    }
}
