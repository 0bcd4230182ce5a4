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
        var payloads: [String: Data] = [:]
        var routeModes: [RouteModeDecision] = []
        var proxyListeners: [ProxyListener] = []
        var boundBy: [String: ResourceRef] = [:]
    }

    /// Serialized clusters and load assignments made (or reused) while translating upstreams.
    var payloads = EnvoyResources.Payloads()

    mutating func run() -> TranslationResult {
        let resources = snapshot.resources
        for upstream in resources.upstreams { reports.touch(translator.key(upstream)) }
        for group in resources.upstreamGroups { reports.touch(translator.key(group)) }
        for gateway in resources.gateways { reports.touch(translator.key(gateway)) }
        for service in resources.virtualServices { reports.touch(translator.key(service)) }
        for table in resources.routeTables { reports.touch(translator.key(table)) }
        for finding in snapshot.findings { reports.add(finding) }
        // Reference problems come from the shared checker: delegation cycles reject their
        // tables, structural problems reject their resource, the rest is served around and
        // reported as a warning.
        var rejectedTables: Set<ResourceRef> = []
        for finding in ReferenceChecker.check(snapshot, rootKey: translator.rootKey) {
            let isCycle = finding.reason.hasPrefix("delegation cycle")
            // Routes, TLS references and TCP hosts are reported by translation itself, with what
            // the gateway does about them.
            let handledBelow = ["virtualHost.routes", "routes[", "sslConfig", "tcpGateway.tcpHosts"]
                .contains { finding.fieldPath.hasPrefix($0) }
            if handledBelow && !isCycle { continue }
            let isStructural = finding.fieldPath.isEmpty || finding.fieldPath == "virtualHost"
            var adjusted = finding
            adjusted.severity = isCycle || (isStructural && finding.severity == .error) ? .error : .warning
            reports.add(adjusted)
            if isCycle, let key = try? ResourceKey.parse(finding.key, rootKey: translator.rootKey).get() {
                rejectedTables.insert(key.ref)
            }
        }

        let (usableSecrets, rejectedSecrets) = checkedSecrets()
        var tls = TLSContexts(secrets: usableSecrets, rejected: rejectedSecrets)
        var (clusters, loadAssignments, upstreams) = translateUpstreams(tls: &tls)
        clusters.sort { $0.name < $1.name }
        loadAssignments.sort { $0.clusterName < $1.clusterName }
        routeWorld = TranslationCache.RouteWorld(
            upstreams: Set(upstreams.keys), consulServices: SubsetPlan.consulServices(upstreams.values.sorted { $0.ref < $1.ref }),
            upstreamGroups: snapshot.resources.upstreamGroups, routeTables: snapshot.resources.routeTables,
            rejectedTables: rejectedTables, invalidRouteStatus: translator.invalidRouteStatus)
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
        let translations = proxies.keys.sorted().map { group -> ProxyTranslation in
            let builder = proxies[group]!
            var envoy = EnvoyResources()
            envoy.clusters = clusters
            envoy.loadAssignments = loadAssignments
            envoy.payloads = payloads
            envoy.listeners = builder.listeners.sorted { $0.name < $1.name }
            envoy.routeConfigurations = builder.routeConfigurations.sorted { $0.name < $1.name }
            envoy.scopedRouteConfigurations = builder.scopedRouteConfigurations.sorted { $0.name < $1.name }
            envoy.payloads.routeConfigurations = builder.payloads
            envoy.secrets = clusterSecrets.merging(builder.tls.used) { first, _ in first }.values.sorted { $0.name < $1.name }
            let proxy = Proxy(metadata: Metadata(name: builder.name, namespace: builder.namespace),
                              listeners: builder.proxyListeners)
            return ProxyTranslation(group: group, proxy: proxy, envoy: envoy, routeModes: builder.routeModes)
        }
        cache?.keepHosts(Set(resources.virtualServices.map(\.ref)),
                         scopedConfigurations: Set(proxies.values.flatMap { $0.payloads.keys }))
        return TranslationResult(proxies: translations, reports: reports)
    }

    /// TLS secrets that pass the certificate checks; the others are reported (on the Secret)
    /// and left out, so whatever references them is reported too.
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
        [Envoy_Config_Cluster_V3_Cluster], [Envoy_Config_Endpoint_V3_ClusterLoadAssignment], [ResourceRef: Upstream]
    ) {
        let subsets = SubsetPlan(snapshot: snapshot, consulServices: SubsetPlan.consulServices(snapshot.allUpstreams))
        var endpointsByUpstream: [ResourceRef: [Endpoint]] = [:]
        for endpoint in snapshot.allEndpoints {
            for upstream in Set(endpoint.upstreams) { endpointsByUpstream[upstream, default: []].append(endpoint) }
        }
        var clusters: [Envoy_Config_Cluster_V3_Cluster] = []
        var assignments: [Envoy_Config_Endpoint_V3_ClusterLoadAssignment] = []
        var usable: [ResourceRef: Upstream] = [:]
        var seen: Set<ResourceRef> = []
        for upstream in snapshot.allUpstreams.sorted(by: { $0.ref < $1.ref }) where usable[upstream.ref] == nil {
            let key = translator.key(upstream)
            guard !reports.isRejected(key) else { continue }
            let referenced = tls.referenced(upstream.sslConfig?.source, namespace: upstream.metadata.namespace)
            let input = TranslationCache.ClusterInput(
                upstream: upstream, endpoints: endpointsByUpstream[upstream.ref] ?? [],
                selectors: (subsets.selectors[upstream.ref] ?? []).sorted { $0.lexicographicallyPrecedes($1) },
                secret: referenced.secret, secretRejected: referenced.rejected)
            seen.insert(upstream.ref)
            let build = { [tls] () -> TranslationCache.ClusterOutput in Self.translateCluster(input, tls: tls) }
            let output = cache?.cluster(input, build: build) ?? build()
            for problem in output.problems { reports.add(problem.severity, key, problem.fieldPath, problem.reason) }
            guard output.usable else { continue }
            clusters.append(output.cluster)
            payloads.clusters[output.cluster.name] = output.clusterPayload
            if let assignment = output.assignment {
                assignments.append(assignment)
                payloads.loadAssignments[assignment.clusterName] = output.assignmentPayload
            }
            tls.adopt(output.secrets)
            usable[upstream.ref] = upstream
        }
        cache?.keepClusters(seen)
        return (clusters, assignments, usable)
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
