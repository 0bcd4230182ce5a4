import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf

/// Turns an ApiSnapshot into, per gateway proxy, a Gloo Proxy and its Envoy resources, plus a
/// report for every resource. Pure: no I/O, no clock; the same snapshot always gives the same
/// output. Translation never fails as a whole: a bad resource is reported and left out, a bad
/// route answers 500, everything else is served.
public struct Translator: Sendable {
    public var rootKey: String
    /// The status a route answers when its destination is missing.
    public var invalidRouteStatus: UInt32

    public init(rootKey: String = ResourceKey.defaultRootKey, invalidRouteStatus: UInt32 = 500) {
        self.rootKey = rootKey
        self.invalidRouteStatus = invalidRouteStatus
    }

    /// Translates `snapshot`; with a `cache`, outputs whose inputs did not change since the last
    /// translation with that cache are reused (the result is the same either way).
    public func translate(_ snapshot: ApiSnapshot, cache: TranslationCache? = nil) -> TranslationResult {
        var session = TranslationSession(translator: self, snapshot: snapshot, cache: cache)
        return session.run()
    }

    func key<R: Resource>(_ resource: R) -> ResourceKey {
        ResourceKey(rootKey: rootKey, kind: R.kind, namespace: resource.metadata.namespace, name: resource.metadata.name)
    }
}

/// The mutable state of one translation.
struct TranslationSession {
    let translator: Translator
    let snapshot: ApiSnapshot
    let cache: TranslationCache?
    var reports = Reports()
    /// Set once upstreams are translated: what routes may point at.
    var routeWorld = TranslationCache.RouteWorld(
        upstreams: [], consulServices: [:], upstreamGroups: [], routeTables: [], rejectedTables: [], invalidRouteStatus: 500)

    init(translator: Translator, snapshot: ApiSnapshot, cache: TranslationCache?) {
        self.translator = translator
        self.snapshot = snapshot
        self.cache = cache
    }

    /// What one proxy (node group) accumulates while its gateways are translated.
    struct ProxyBuilder {
        var name: String
        var namespace: String
        var tls: TLSContexts
        var listeners: [Envoy_Config_Listener_V3_Listener] = []
        var routeConfigurations: [Envoy_Config_Route_V3_RouteConfiguration] = []
        var scopedRouteConfigurations: [Envoy_Config_Route_V3_ScopedRouteConfiguration] = []
        /// Serialized RouteConfigurations by name (scoped mode makes them during translation).
        /// In the order of `routeConfigurations` and `scopedRouteConfigurations`.
        var payloads: [Data?] = []
        var scopePayloads: [Data?] = []
        var routeModes: [RouteModeDecision] = []
        /// The (chain, VirtualService) pairs served in scoped mode, for pruning the cache.
        var scopedKeys: [TranslationCache.ScopedKey] = []
        var proxyListeners: [ProxyListener] = []
        var boundBy: [String: ResourceRef] = [:]
    }

    /// Serialized clusters and load assignments made (or reused) while translating upstreams.
    var payloads = EnvoyResources.Payloads()

    mutating func run() -> TranslationResult {
        let resources = snapshot.resources
        reports = acceptedReports()
        for finding in snapshot.findings { reports.add(finding) }
        // Reference problems come from the shared checker: delegation cycles reject their
        // tables, structural problems reject their resource, the rest is served around and
        // reported as a warning.
        var rejectedTables: Set<ResourceRef> = []
        for item in ReferenceChecker.classified(snapshot, rootKey: translator.rootKey, scope: .beyondTranslation) {
            var finding = item.finding
            switch item.subject {
            case .routes, .tls, .tcpHosts:
                // Translation reports these itself, with what the gateway does about them.
                continue
            case .delegationCycle:
                finding.severity = .error
                if let key = try? ResourceKey.parse(finding.key, rootKey: translator.rootKey).get() { rejectedTables.insert(key.ref) }
            case .structure:
                break
            case .reference:
                finding.severity = .warning
            }
            reports.add(finding)
        }

        let (usableSecrets, rejectedSecrets) = checkedSecrets()
        var tls = TLSContexts(secrets: usableSecrets, rejected: rejectedSecrets, stale: staleSecrets(usable: usableSecrets),
                              issued: snapshot.issuedCertificates)
        let (clusters, loadAssignments, upstreams, stageRefs) = translateUpstreams(tls: &tls)
        routeWorld = TranslationCache.RouteWorld(
            upstreams: stageRefs.upstreams, consulServices: stageRefs.consulServices,
            upstreamGroups: snapshot.resources.upstreamGroups, routeTables: snapshot.resources.routeTables,
            rejectedTables: rejectedTables, invalidRouteStatus: translator.invalidRouteStatus,
            delegatedOptions: DelegatedOptions(snapshot.resources, findings: snapshot.findings, rootKey: translator.rootKey))
        cache?.enter(routeWorld)
        let clusterSecrets = tls.used
        var proxies: [String: ProxyBuilder] = [:]
        for gateway in resources.gateways.sorted(by: { $0.ref < $1.ref }) where !reports.isRejected(translator.key(gateway)) {
            for proxyName in gateway.effectiveProxyNames {
                let group = EnvoyNames.nodeGroup(namespace: gateway.metadata.namespace, proxy: proxyName)
                var builder = proxies[group]
                    ?? ProxyBuilder(name: proxyName, namespace: gateway.metadata.namespace, tls: tls)
                addGateway(gateway, to: &builder, upstreams: upstreams, rejectedTables: rejectedTables)
                proxies[group] = builder
            }
        }
        var translations = proxies.keys.sorted().map { group -> ProxyTranslation in
            let builder = proxies[group]!
            var envoy = EnvoyResources()
            envoy.clusters = clusters
            envoy.loadAssignments = loadAssignments
            envoy.payloads = payloads
            envoy.listeners = builder.listeners.sorted { $0.name < $1.name }
            (envoy.routeConfigurations, envoy.payloads.routeConfigurations) =
                Self.sortedByName(builder.routeConfigurations, builder.payloads) { $0.name }
            (envoy.scopedRouteConfigurations, envoy.payloads.scopedRoutes) =
                Self.sortedByName(builder.scopedRouteConfigurations, builder.scopePayloads) { $0.name }
            envoy.secrets = clusterSecrets.merging(builder.tls.used) { first, _ in first }.values.sorted { $0.name < $1.name }
            let proxy = Proxy(metadata: Metadata(name: builder.name, namespace: builder.namespace),
                              listeners: builder.proxyListeners)
            return ProxyTranslation(group: group, proxy: proxy, envoy: envoy, routeModes: builder.routeModes)
        }
        if let cache {
            let (generation, accounts) = cache.account(translations.map { ($0.group, $0.envoy) })
            for index in translations.indices {
                translations[index].generation = generation
                translations[index].reuse = accounts[index]
            }
        }
        let scopedKeys = proxies.values.flatMap(\.scopedKeys)
        let scopedChains = Set(proxies.values.flatMap { $0.routeModes.filter { $0.mode == .scoped }.map(\.routeConfiguration) })
        cache?.keep(hosts: resources.virtualServices.count, { Set(resources.virtualServices.map(\.ref)) },
                    scoped: scopedKeys.count, { Set(scopedKeys) }, chains: scopedChains)
        return TranslationResult(proxies: translations, reports: reports)
    }

    /// `messages` and their serializations sorted by name, together (already sorted: as is).
    static func sortedByName<M>(_ messages: [M], _ payloads: [Data?], name: (M) -> String) -> ([M], [Data?]) {
        let names = messages.map(name)
        if zip(names, names.dropFirst()).allSatisfy({ $0 <= $1 }) { return (messages, payloads) }
        let order = names.indices.sorted { names[$0] < names[$1] }
        return (order.map { messages[$0] }, order.map { payloads[$0] })
    }

    /// An Accepted report for every resource translation reports on: reused from the cache while
    /// no such resource is added or removed.
    private func acceptedReports() -> Reports {
        let resources = snapshot.resources
        let rootKey = translator.rootKey
        func build() -> Reports {
            var reports = Reports()
            reports.reserveCapacity(resources.upstreams.count + resources.upstreamGroups.count + resources.gateways.count
                                        + resources.virtualServices.count + resources.routeTables.count)
            func touch<R: Resource>(_ all: [R]) {
                for index in all.indices {
                    reports.touch(ResourceKey(rootKey: rootKey, kind: R.kind, namespace: all[index].metadata.namespace,
                                              name: all[index].metadata.name))
                }
            }
            touch(resources.upstreams)
            touch(resources.upstreamGroups)
            touch(resources.gateways)
            touch(resources.virtualServices)
            touch(resources.routeTables)
            return reports
        }
        return cache?.acceptedReports(resources, build: build) ?? build()
    }

    /// TLS secrets that pass the certificate checks; the others are reported (on the Secret)
    /// and left out, so whatever references them is reported too.
    /// Usable secrets that also have errors: the secret store kept their last good version.
    private func staleSecrets(usable: [ResourceRef: TlsSecret]) -> [ResourceRef: String] {
        var stale: [ResourceRef: String] = [:]
        for finding in snapshot.findings where finding.severity == .error {
            guard let key = try? ResourceKey.parse(finding.key, rootKey: translator.rootKey).get(), key.kind == .secret,
                  usable[key.ref] != nil, stale[key.ref] == nil
            else { continue }
            stale[key.ref] = finding.fieldPath.isEmpty ? finding.reason : "\(finding.fieldPath): \(finding.reason)"
        }
        return stale
    }

    private mutating func checkedSecrets() -> (usable: [ResourceRef: TlsSecret], rejected: Set<ResourceRef>) {
        var usable: [ResourceRef: TlsSecret] = [:]
        var rejected: Set<ResourceRef> = []
        for secret in snapshot.allSecrets.sorted(by: { $0.ref < $1.ref }) where usable[secret.ref] == nil {
            guard let tls = secret.tls else { continue }
            let key = translator.key(secret)
            reports.touch(key)
            let problems = CertificateCheck.problems(tls, at: snapshot.takenAt)
            for problem in problems { reports.add(problem.severity, key, problem.fieldPath, problem.reason) }
            if problems.contains(where: { $0.severity == .error }) { rejected.insert(secret.ref) } else { usable[secret.ref] = tls }
        }
        return (usable, rejected)
    }

    // MARK: Upstreams

    private mutating func translateUpstreams(tls: inout TLSContexts) -> (
        [Envoy_Config_Cluster_V3_Cluster], [Envoy_Config_Endpoint_V3_ClusterLoadAssignment], [ResourceRef: Upstream],
        (upstreams: Set<ResourceRef>, consulServices: [String: ResourceRef])
    ) {
        let consulServices = if let cache {
            cache.consulServices(snapshot.resources.upstreams, snapshot.discoveredUpstreams) {
                SubsetPlan.consulServices(snapshot.resources.upstreams, snapshot.discoveredUpstreams)
            }
        } else {
            SubsetPlan.consulServices(snapshot.resources.upstreams, snapshot.discoveredUpstreams)
        }
        let subsets = SubsetPlan(snapshot: snapshot, consulServices: consulServices, cache: cache)
        let rejectedUpstreams = reports.rejectedKeys(of: .upstream)
        let input = TranslationCache.UpstreamStageInput(
            upstreams: snapshot.resources.upstreams, discoveredUpstreams: snapshot.discoveredUpstreams,
            endpoints: snapshot.endpoints, storedEndpoints: snapshot.resources.endpoints, selectors: subsets.selectors,
            rejectedUpstreams: rejectedUpstreams, secrets: tls.secrets, rejectedSecrets: tls.rejected)
        let stage = cache?.upstreamStage(input, build: { translateUpstreamStage(input, tls: tls) }, patch: { previous, changed in
            Self.patchEndpoints(previous, changed: changed, cache: cache, tls: tls)
        }) ?? translateUpstreamStage(input, tls: tls)
        for (key, problem) in stage.problems { reports.add(problem.severity, key, problem.fieldPath, problem.reason) }
        payloads.clusters = stage.clusterPayloads
        payloads.loadAssignments = stage.assignmentPayloads
        tls.adopt(stage.secrets)
        return (stage.clusters, stage.assignments, stage.usable, (stage.usableRefs, stage.consulServices))
    }

    /// `previous` with the load assignments of the Upstreams in `changed` rebuilt for their new
    /// endpoints: what an instance turning critical costs, instead of every cluster again. Nil
    /// (translate the whole stage) when a change reaches beyond the load assignment.
    private static func patchEndpoints(
        _ previous: TranslationCache.UpstreamStageOutput, changed: [ResourceRef: [Endpoint]], cache: TranslationCache?,
        tls: TLSContexts
    ) -> TranslationCache.UpstreamStageOutput? {
        guard let cache else { return nil }
        var output = previous
        for (ref, endpoints) in changed {
            // An Upstream that is not served (rejected, or gone) has no load assignment to change.
            guard previous.usable[ref] != nil else { continue }
            guard let (oldInput, old) = cache.cachedCluster(ref) else { return nil }
            var input = oldInput
            input.endpoints = endpoints
            let new = cache.cluster(input) { translateCluster(input, tls: tls) }
            guard new.usable, new.problems == old.problems, new.clusterPayload == old.clusterPayload, new.secrets == old.secrets,
                  let assignment = new.assignment, let payload = new.assignmentPayload,
                  let index = output.assignments.firstIndex(where: { $0.clusterName == assignment.clusterName })
            else { return nil }
            output.assignments[index] = assignment
            output.assignmentPayloads[index] = payload
        }
        return output
    }

    /// Every Upstream's cluster and load assignment: pure in `input` (the cache relies on that);
    /// unchanged Upstreams reuse their cluster from the cache.
    private func translateUpstreamStage(
        _ input: TranslationCache.UpstreamStageInput, tls: TLSContexts
    ) -> TranslationCache.UpstreamStageOutput {
        let endpointsByUpstream = input.endpointsByUpstream
        var stage = TranslationCache.UpstreamStageOutput()
        var used = tls
        var seen: Set<ResourceRef> = []
        // Inputs first (cheap, in order), then every cluster on every core, then assembly in order.
        var candidates: [(key: ResourceKey, upstream: Upstream, input: TranslationCache.ClusterInput)] = []
        for upstream in (input.upstreams + input.discoveredUpstreams).sorted(by: { $0.ref < $1.ref }) {
            let key = translator.key(upstream)
            guard !input.rejectedUpstreams.contains(key.key) else { continue }
            let referenced = tls.referenced(upstream.sslConfig?.source, namespace: upstream.metadata.namespace)
            candidates.append((key, upstream, TranslationCache.ClusterInput(
                upstream: upstream, endpoints: endpointsByUpstream[upstream.ref] ?? [],
                selectors: (input.selectors[upstream.ref] ?? []).sorted { $0.lexicographicallyPrecedes($1) },
                secret: referenced.secret, secretRejected: referenced.rejected)))
            seen.insert(upstream.ref)
        }
        let inputs = candidates.map(\.input)
        let cache = self.cache
        let outputs = ParallelMap.map(inputs.count) { index in
            if let cache {
                cache.cluster(inputs[index]) { Self.translateCluster(inputs[index], tls: tls) }
            } else {
                Self.translateCluster(inputs[index], tls: tls)
            }
        }
        var clusters: [(Envoy_Config_Cluster_V3_Cluster, Data)] = []
        var assignments: [(Envoy_Config_Endpoint_V3_ClusterLoadAssignment, Data)] = []
        for (candidate, output) in zip(candidates, outputs) where stage.usable[candidate.upstream.ref] == nil {
            for problem in output.problems { stage.problems.append((candidate.key, problem)) }
            guard output.usable else { continue }
            clusters.append((output.cluster, output.clusterPayload))
            if let assignment = output.assignment, let payload = output.assignmentPayload { assignments.append((assignment, payload)) }
            used.adopt(output.secrets)
            stage.usable[candidate.upstream.ref] = candidate.upstream
        }
        clusters.sort { $0.0.name < $1.0.name }
        assignments.sort { $0.0.clusterName < $1.0.clusterName }
        stage.clusters = clusters.map(\.0)
        stage.clusterPayloads = clusters.map(\.1)
        stage.assignments = assignments.map(\.0)
        stage.assignmentPayloads = assignments.map(\.1)
        stage.secrets = used.used
        stage.usableRefs = Set(stage.usable.keys)
        stage.consulServices = SubsetPlan.consulServices(stage.usable.values.sorted { $0.ref < $1.ref })
        cache?.keepClusters(seen)
        return stage
    }

    /// One Upstream's cluster: pure in its input (the cache relies on that).
    private static func translateCluster(_ input: TranslationCache.ClusterInput, tls: TLSContexts) -> TranslationCache.ClusterOutput {
        var problems: [FieldProblem] = []
        let clusterTranslator = ClusterTranslator { problems.append(FieldProblem($0, fieldPath: $1, reason: $2)) }
        var contexts = TLSContexts(secrets: tls.secrets, rejected: tls.rejected)
        do {
            if let (cluster, assignment) = try clusterTranslator.translate(
                input.upstream, endpoints: input.endpoints, subsetSelectors: input.selectors, tls: &contexts)
            {
                return .init(
                    cluster: cluster, assignment: assignment, clusterPayload: try EnvoyResources.serialize(cluster),
                    assignmentPayload: try assignment.map(EnvoyResources.serialize), problems: problems, secrets: contexts.used,
                    usable: true)
            }
        } catch let failure as TranslationFailure {
            problems.append(FieldProblem(.error, fieldPath: failure.fieldPath, reason: failure.reason))
        } catch {
            problems.append(FieldProblem(.error, fieldPath: "", reason: "cannot be translated: \(error)"))
        }
        return .init(cluster: .init(), assignment: nil, clusterPayload: Data(), assignmentPayload: nil, problems: problems,
                     secrets: [:], usable: false)
    }
}
