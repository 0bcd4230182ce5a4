import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf

/// What one HTTP filter chain serves over RDS (and SRDS in scoped mode).
struct ChainRoutes {
    var configurations: [Envoy_Config_Route_V3_RouteConfiguration] = []
    var scopes: [Envoy_Config_Route_V3_ScopedRouteConfiguration] = []
    /// Serializations of `configurations` and `scopes`, in their order (nil: not made).
    var payloads: [Data?] = []
    var scopePayloads: [Data?] = []
    /// The chain's virtual hosts, for the Gloo Proxy.
    var hosts: [ProxyVirtualHost] = []
    /// The HTTP filters its routes configure.
    var filters: HttpFilterUse = []
    /// The cache keys scoped mode used.
    var scopedKeys: [TranslationCache.ScopedKey] = []
}

extension TranslationSession.ProxyBuilder {
    /// Adds one chain's routes to the proxy.
    mutating func add(_ routes: ChainRoutes) {
        routeConfigurations += routes.configurations
        scopedRouteConfigurations += routes.scopes
        scopedKeys += routes.scopedKeys
        payloads += routes.payloads
        scopePayloads += routes.scopePayloads
    }
}

/// The routes of HTTP chains: one RouteConfiguration with a virtual host per VirtualService
/// (single mode), or per VirtualService a RouteConfiguration and its routing scopes (scoped
/// mode). Per VirtualService the work is one cache lookup while it and the route world are
/// unchanged.
extension TranslationSession {
    /// Single mode: one RouteConfiguration named `chain`, with the gateway's `routeOptions`.
    mutating func singleRoutes(
        chain: String, services: [Int], in all: [VirtualService], options: ChainRouteSettings
    ) -> ChainRoutes {
        var configuration = Envoy_Config_Route_V3_RouteConfiguration()
        configuration.name = chain
        Self.apply(options.routeOptions, to: &configuration)
        var routes = ChainRoutes()
        let world = routeWorld
        let rootKey = translator.rootKey
        let cache = self.cache
        let outputs = ParallelMap.map(services.count) { position in
            let service = all[services[position]]
            // The host's bytes are kept with it: the RouteConfiguration is assembled from them.
            let build = {
                var output = Self.virtualHost(service, world: world, rootKey: rootKey, context: options.context)
                output.hostPayload = output.host.flatMap { try? EnvoyResources.serialize($0) }
                return output
            }
            return if let cache { cache.host(service, context: options.context, build: build) } else { build() }
        }
        var payloads: [Data]? = []
        // Collected apart and set once: appending to the message's field copies the array each time.
        var hosts: [Envoy_Config_Route_V3_VirtualHost] = []
        hosts.reserveCapacity(outputs.count)
        for output in outputs {
            for finding in output.findings { reports.add(finding) }
            guard let host = output.host, let proxyHost = output.proxyHost else { continue }
            hosts.append(host)
            routes.hosts.append(proxyHost)
            routes.filters.formUnion(output.filters)
            if let payload = output.hostPayload { payloads?.append(payload) } else { payloads = nil }
        }
        configuration.virtualHosts = hosts
        routes.configurations = [configuration]
        routes.payloads = [payloads.flatMap { Self.routeConfigurationPayload(name: chain, hosts: $0, options: options.routeOptions) }]
        return routes
    }

    /// Gloo's `routeOptions` of a Gateway on one of its RouteConfigurations.
    static func apply(_ options: RouteConfigurationOptions?, to configuration: inout Envoy_Config_Route_V3_RouteConfiguration) {
        guard let options else { return }
        if let limit = options.maxDirectResponseBodySizeBytes {
            configuration.maxDirectResponseBodySizeBytes = Google_Protobuf_UInt32Value(limit)
        }
        if options.mostSpecificHeaderMutationsWins == true { configuration.mostSpecificHeaderMutationsWins = true }
    }

    /// A RouteConfiguration with `name`, these serialized virtual hosts and `options`, in
    /// protobuf's wire format: the name (field 1), each host as field 2 (length-delimited), then
    /// the options' fields (all numbered above 2), as SwiftProtobuf would write it, without
    /// serializing the hosts again.
    static func routeConfigurationPayload(name: String, hosts: [Data], options: RouteConfigurationOptions? = nil) -> Data? {
        var header = Envoy_Config_Route_V3_RouteConfiguration()
        header.name = name
        guard var bytes = try? EnvoyResources.serialize(header) else { return nil }
        bytes.reserveCapacity(bytes.count + hosts.reduce(0) { $0 + $1.count + 6 })
        for host in hosts {
            bytes.append(0x12)
            var length = UInt64(host.count)
            while length >= 0x80 {
                bytes.append(UInt8(length & 0x7f) | 0x80)
                length >>= 7
            }
            bytes.append(UInt8(length))
            bytes.append(host)
        }
        if options != nil {
            var tail = Envoy_Config_Route_V3_RouteConfiguration()
            apply(options, to: &tail)
            guard let tailBytes = try? EnvoyResources.serialize(tail) else { return nil }
            bytes.append(tailBytes)
        }
        return bytes
    }

    /// Scoped mode: per VirtualService a RouteConfiguration with its one virtual host (matching
    /// any host: the scope already chose it), and a routing scope per domain keyed on the
    /// lowercased host.
    mutating func scopedRoutes(
        chain: String, services: [Int], in all: [VirtualService], options: ChainRouteSettings
    ) -> ChainRoutes {
        let refs = services.map { all[$0].ref }
        let versions = services.map { all[$0].metadata.resourceVersion }
        if let memo = cache?.scopedChain(chain), memo.options == options,
           let patched = patchedScopedRoutes(memo, chain: chain, refs: refs, versions: versions, services: services, in: all)
        {
            for position in patched.findingPositions { for finding in patched.entries[position].findings { reports.add(finding) } }
            cache?.keepScopedChain(chain, patched)
            return patched.routes
        }
        let (routes, entries) = assembledScopedRoutes(chain: chain, services: services, in: all, options: options)
        cache?.keepScopedChain(chain, TranslationCache.ScopedChain(
            refs: refs, versions: versions, options: options, entries: entries, routes: routes))
        return routes
    }

    /// The previous translation's routes of `chain` with the changed VirtualServices patched in;
    /// nil when that is not possible (other VirtualServices, unknown versions, many changes, or a
    /// change in the number of scopes), and the chain is assembled afresh.
    private func patchedScopedRoutes(
        _ memo: TranslationCache.ScopedChain, chain: String, refs: [ResourceRef], versions: [String], services: [Int],
        in all: [VirtualService]
    ) -> TranslationCache.ScopedChain? {
        guard memo.refs == refs, !versions.contains("") else { return nil }
        let changed = versions.indices.filter { versions[$0] != memo.versions[$0] }
        guard changed.count <= 64 else { return nil }
        var patched = memo
        patched.versions = versions
        let world = routeWorld
        let rootKey = translator.rootKey
        for position in changed {
            let service = all[services[position]]
            let key = TranslationCache.ScopedKey(chain: chain, service: refs[position], options: memo.options)
            let entry = cache?.scopedEntry(key, service: service) {
                Self.scopedEntry(chain: chain, service: service, world: world, rootKey: rootKey, options: memo.options)
            } ?? Self.scopedEntry(chain: chain, service: service, world: world, rootKey: rootKey, options: memo.options)
            let old = memo.entries[position]
            guard let slot = memo.slots[position], let configuration = entry.configuration, let proxyHost = entry.proxyHost,
                  entry.scopes.count == old.scopes.count
            else {
                if old.configuration == nil && entry.configuration == nil {
                    patched.entries[position] = entry
                    continue
                }
                return nil
            }
            patched.routes.configurations[slot.configuration] = configuration
            patched.routes.payloads[slot.configuration] = entry.payload
            patched.routes.hosts[slot.configuration] = proxyHost
            for offset in entry.scopes.indices {
                patched.routes.scopes[slot.firstScope + offset] = entry.scopes[offset]
                patched.routes.scopePayloads[slot.firstScope + offset] = entry.scopePayloads[offset]
            }
            patched.entries[position] = entry
        }
        patched.routes.filters = patched.entries.reduce(into: []) { $0.formUnion($1.filters) }
        patched.findingPositions = patched.entries.indices.filter { !patched.entries[$0].findings.isEmpty }
        return patched
    }

    private mutating func assembledScopedRoutes(
        chain: String, services: [Int], in all: [VirtualService], options: ChainRouteSettings
    ) -> (ChainRoutes, [TranslationCache.ScopedEntry]) {
        var routes = ChainRoutes()
        routes.configurations.reserveCapacity(services.count)
        routes.scopes.reserveCapacity(services.count)
        routes.payloads.reserveCapacity(services.count)
        routes.scopePayloads.reserveCapacity(services.count)
        routes.hosts.reserveCapacity(services.count)
        let world = routeWorld
        let rootKey = translator.rootKey
        let cache = self.cache
        // Every entry on every core (cache hits are a lookup each), then assembly in order.
        let keys = services.map { TranslationCache.ScopedKey(chain: chain, service: all[$0].ref, options: options) }
        let entries = ParallelMap.map(services.count) { position in
            let service = all[services[position]]
            return if let cache {
                cache.scopedEntry(keys[position], service: service) {
                    Self.scopedEntry(chain: chain, service: service, world: world, rootKey: rootKey, options: options)
                }
            } else {
                Self.scopedEntry(chain: chain, service: service, world: world, rootKey: rootKey, options: options)
            }
        }
        routes.scopedKeys = keys
        for entry in entries {
            for finding in entry.findings { reports.add(finding) }
            guard let configuration = entry.configuration, let proxyHost = entry.proxyHost else { continue }
            routes.configurations.append(configuration)
            routes.payloads.append(entry.payload)
            routes.scopes += entry.scopes
            for payload in entry.scopePayloads { routes.scopePayloads.append(payload) }
            routes.hosts.append(proxyHost)
            routes.filters.formUnion(entry.filters)
        }
        return (routes, entries)
    }

    /// One VirtualService's scoped-mode output, serialized once: pure in its inputs (the cache
    /// relies on that).
    static func scopedEntry(
        chain: String, service: VirtualService, world: TranslationCache.RouteWorld, rootKey: String,
        options: ChainRouteSettings = ChainRouteSettings()
    ) -> TranslationCache.ScopedEntry {
        let output = virtualHost(service, world: world, rootKey: rootKey, context: options.context)
        guard var host = output.host, let proxyHost = output.proxyHost else {
            return .init(findings: output.findings)
        }
        host.domains = ["*"]
        var configuration = Envoy_Config_Route_V3_RouteConfiguration()
        configuration.name = EnvoyNames.scopedRouteConfiguration(routeConfiguration: chain, service: service.ref)
        configuration.virtualHosts = [host]
        apply(options.routeOptions, to: &configuration)
        let scopes = Set(proxyHost.domains.map { $0.lowercased() }).sorted().map { domain in
            var scope = Envoy_Config_Route_V3_ScopedRouteConfiguration()
            scope.name = EnvoyNames.scope(routeConfiguration: chain, domain: domain)
            scope.routeConfigurationName = configuration.name
            var fragment = Envoy_Config_Route_V3_ScopedRouteConfiguration.Key.Fragment()
            fragment.stringKey = domain
            scope.key.fragments = [fragment]
            return scope
        }
        do {
            return .init(configuration: configuration, payload: try EnvoyResources.serialize(configuration), scopes: scopes,
                         scopePayloads: try scopes.map(EnvoyResources.serialize), proxyHost: proxyHost,
                         findings: output.findings, filters: output.filters)
        } catch {
            let key = ResourceKey(rootKey: rootKey, kind: .virtualService, namespace: service.metadata.namespace,
                                  name: service.metadata.name)
            return .init(findings: output.findings + [Finding(.error, key: key.key, fieldPath: "virtualHost",
                                                              reason: "cannot be serialized: \(error)")])
        }
    }

    /// One VirtualService's virtual host: pure in the service and the route world (the cache
    /// relies on that).
    static func virtualHost(
        _ service: VirtualService, world: TranslationCache.RouteWorld, rootKey: String, context: HostContext = HostContext()
    ) -> TranslationCache.HostOutput {
        var findings: [Finding] = []
        guard let host = service.virtualHost else { return .init(host: nil, proxyHost: nil, findings: [], context: context) }
        let routeBuilder = EnvoyRouteBuilder(
            upstreams: world.upstreams, consulServices: world.consulServices,
            upstreamGroups: Dictionary(world.upstreamGroups.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first }),
            invalidRouteStatus: world.invalidRouteStatus, context: context,
            report: { findings.append(Finding($0, key: $1.key, fieldPath: $2, reason: $3)) })
        let resolver = RouteResolver(
            routeTables: world.routeTables, rejectedTables: world.rejectedTables, delegatedOptions: world.delegatedOptions, rootKey: rootKey,
            report: { findings.append(Finding($0, key: $1.key, fieldPath: $2, reason: $3)) })
        let serviceKey = ResourceKey(rootKey: rootKey, kind: .virtualService, namespace: service.metadata.namespace,
                                     name: service.metadata.name)
        let hostName = EnvoyNames.virtualHost(service.ref)
        let resolved = resolver.resolve(host.routes, owner: serviceKey, path: "virtualHost.routes")
        var envoyHost = Envoy_Config_Route_V3_VirtualHost()
        envoyHost.name = hostName
        envoyHost.domains = host.domains.isEmpty ? ["*"] : host.domains
        let hostOptions = world.delegatedOptions.virtualHostOptions(
            host.options, refs: host.optionsConfigRefs, namespace: service.metadata.namespace)
        for missing in hostOptions.missing {
            findings.append(Finding(.warning, key: serviceKey.key, fieldPath: "virtualHost.\(missing.field)",
                                    reason: "VirtualHostOption \(missing.ref) does not exist; its options are not applied"))
        }
        do {
            envoyHost.routes = try resolved.enumerated().map { index, route in
                do {
                    return try routeBuilder.build(route, index: index, virtualHost: hostName)
                } catch let failure as TranslationFailure {
                    let field = route.fieldPath + "." + failure.fieldPath
                    // A delegated route's field is in its RouteTable: named in the reason.
                    guard route.owner.key == serviceKey.key else {
                        throw TranslationFailure(fieldPath: "virtualHost.routes", reason: "\(route.owner.key) \(field): \(failure.reason)")
                    }
                    throw TranslationFailure(fieldPath: field, reason: failure.reason)
                }
            }
            if let rejected = hostOptions.rejected {
                throw TranslationFailure(fieldPath: "virtualHost.\(rejected.field)",
                                         reason: "VirtualHostOption \(rejected.ref) is rejected; the VirtualService is not served without it")
            }
            do {
                try applyVirtualHostOptions(hostOptions.options, context: context, to: &envoyHost)
            } catch let failure as TranslationFailure {
                throw TranslationFailure(fieldPath: "virtualHost." + failure.fieldPath, reason: failure.reason)
            }
        } catch {
            // The VirtualService is not served; the field to blame is named.
            let failure = error as? TranslationFailure
            return .init(host: nil, proxyHost: nil, findings: findings + [Finding(
                .error, key: serviceKey.key, fieldPath: failure?.fieldPath ?? "virtualHost",
                reason: "cannot be translated: \(failure?.reason ?? "\(error)")")], context: context)
        }
        let proxyHost = ProxyVirtualHost(
            name: hostName, domains: envoyHost.domains,
            routes: resolved.map { Route(name: $0.name, matchers: [$0.matcher], action: $0.action, options: $0.options) },
            options: hostOptions.options)
        return .init(host: envoyHost, proxyHost: proxyHost, findings: findings, context: context,
                     filters: HttpFilterUse.of(host: hostOptions.options, routes: resolved))
    }

    static func applyVirtualHostOptions(
        _ options: VirtualHostOptions?, context: HostContext, to host: inout Envoy_Config_Route_V3_VirtualHost
    ) throws {
        guard let options else { return }
        if let headers = options.headerManipulation {
            host.requestHeadersToAdd = EnvoyRouteBuilder.headerOptions(headers.requestHeadersToAdd)
            host.requestHeadersToRemove = headers.requestHeadersToRemove
            host.responseHeadersToAdd = EnvoyRouteBuilder.headerOptions(headers.responseHeadersToAdd)
            host.responseHeadersToRemove = headers.responseHeadersToRemove
        }
        if let cors = options.cors {
            host.typedPerFilterConfig[EnvoyRouteBuilder.corsFilter] = try Google_Protobuf_Any(message: EnvoyRouteBuilder.corsPolicy(cors))
        }
        if let retries = options.retries { host.retryPolicy = try EnvoyRouteBuilder.retryPolicy(retries) }
        try EnvoyRouteBuilder.applyFilterOptions(
            bufferPerRoute: options.bufferPerRoute, csrf: options.csrf, localRatelimit: options.ratelimit?.localRatelimit,
            context: context, field: "options", to: &host.typedPerFilterConfig)
    }
}
