import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Resolved Gloo routes to Envoy routes: matchers, actions and options. A route whose
/// destination does not exist becomes a direct response (500 by default) and is reported, so
/// Envoy is never sent a route to a cluster it lacks.
struct EnvoyRouteBuilder {
    let upstreams: Set<ResourceRef>
    /// Consul service name -> the Upstream serving it.
    let consulServices: [String: ResourceRef]
    let upstreamGroups: [ResourceRef: UpstreamGroup]
    let invalidRouteStatus: UInt32
    /// What the chain's Gateway adds to every route-level local rate limit.
    var context = HostContext()
    var report: (Severity, ResourceKey, String, String) -> Void

    static let corsFilter = "envoy.filters.http.cors"

    func build(_ route: ResolvedRoute, index: Int, virtualHost: String) throws -> Envoy_Config_Route_V3_Route {
        var envoy = Envoy_Config_Route_V3_Route()
        envoy.name = route.name.isEmpty ? "\(virtualHost)-route-\(index)" : route.name
        envoy.match = Self.match(route.matcher)
        if let failure = route.failure ?? Self.pathFailure(route) {
            report(.warning, route.owner, route.fieldPath, "\(failure); answering \(invalidRouteStatus)")
            envoy.directResponse = directResponse(invalidRouteStatus, body: "")
            return envoy
        }
        switch route.action {
        case .routeAction(let action):
            switch clusterSpecifier(action.destination, route: route) {
            case .success(let specifier):
                var envoyAction = Envoy_Config_Route_V3_RouteAction()
                envoyAction.clusterSpecifier = specifier
                if case .single(let single)? = action.destination,
                   case .success(let target) = clusterName(single, namespace: route.owner.namespace, route: route),
                   let metadata = target.metadata
                {
                    envoyAction.metadataMatch = metadata
                }
                try apply(route.options, to: &envoyAction, route: &envoy, owner: route.owner, path: route.fieldPath)
                envoy.route = envoyAction
            case .failure(let reason):
                report(.warning, route.owner, route.fieldPath + ".routeAction", "\(reason); answering \(invalidRouteStatus)")
                envoy.directResponse = directResponse(invalidRouteStatus, body: "")
            }
        case .redirectAction(let redirect):
            envoy.redirect = Self.redirect(redirect)
            reportForwardingOnly(route.options, route: route)
            try applyHeaders(route.options, to: &envoy)
        case .directResponseAction(let direct):
            envoy.directResponse = directResponse(direct.status, body: direct.body)
            reportForwardingOnly(route.options, route: route)
            try applyHeaders(route.options, to: &envoy)
        case .delegateAction, .graphqlApiRef, nil:
            report(.warning, route.owner, route.fieldPath, "route cannot be served; answering \(invalidRouteStatus)")
            envoy.directResponse = directResponse(invalidRouteStatus, body: "")
        }
        return envoy
    }

    /// Why a route's matched, rewritten or redirected path is refused (Gloo's
    /// ValidateRoutePath), or nil.
    static func pathFailure(_ route: ResolvedRoute) -> String? {
        var problems: [String?] = []
        switch route.matcher.path {
        case .prefix(let path), .exact(let path): problems.append(RoutePathRules.problem(path).map { "matcher: \($0)" })
        default: break
        }
        switch route.action {
        case .routeAction?:
            problems.append(route.options?.prefixRewrite.flatMap(RoutePathRules.rewriteProblem).map { "prefixRewrite: \($0)" })
        case .redirectAction(let redirect)?:
            problems.append(RoutePathRules.problem(redirect.hostRedirect).map { "hostRedirect: \($0)" })
            switch redirect.pathRewrite {
            case .pathRedirect(let path)?: problems.append(RoutePathRules.problem(path).map { "pathRedirect: \($0)" })
            case .prefixRewrite(let prefix)?: problems.append(RoutePathRules.rewriteProblem(prefix).map { "prefixRewrite: \($0)" })
            default: break
            }
        default: break
        }
        return problems.compactMap(\.self).first
    }

    // MARK: Matching

    static func match(_ matcher: Matcher) -> Envoy_Config_Route_V3_RouteMatch {
        var match = Envoy_Config_Route_V3_RouteMatch()
        switch matcher.path {
        case .prefix(let prefix): match.prefix = prefix
        case .exact(let path): match.path = path
        case .regex(let regex): match.safeRegex = regexMatcher(regex)
        case .connectMatcher: match.connectMatcher = Envoy_Config_Route_V3_RouteMatch.ConnectMatcher()
        case nil: match.prefix = "/"
        }
        if let caseSensitive = matcher.caseSensitive { match.caseSensitive = Google_Protobuf_BoolValue(caseSensitive) }
        match.headers = matcher.headers.map { header in
            var envoyHeader = Envoy_Config_Route_V3_HeaderMatcher()
            envoyHeader.name = header.name
            if header.value.isEmpty {
                envoyHeader.presentMatch = true
            } else {
                envoyHeader.stringMatch = stringMatcher(header.value, regex: header.regex)
            }
            envoyHeader.invertMatch = header.invertMatch
            return envoyHeader
        }
        if !matcher.methods.isEmpty {
            var method = Envoy_Config_Route_V3_HeaderMatcher()
            method.name = ":method"
            method.stringMatch = stringMatcher("^(" + matcher.methods.joined(separator: "|") + ")$", regex: true)
            match.headers.append(method)
        }
        match.queryParameters = matcher.queryParameters.map { parameter in
            var envoyParameter = Envoy_Config_Route_V3_QueryParameterMatcher()
            envoyParameter.name = parameter.name
            if parameter.value.isEmpty {
                envoyParameter.presentMatch = true
            } else {
                envoyParameter.stringMatch = stringMatcher(parameter.value, regex: parameter.regex)
            }
            return envoyParameter
        }
        return match
    }

    static func regexMatcher(_ regex: String) -> Envoy_Type_Matcher_V3_RegexMatcher {
        var matcher = Envoy_Type_Matcher_V3_RegexMatcher()
        matcher.regex = regex
        return matcher
    }

    static func stringMatcher(_ value: String, regex: Bool) -> Envoy_Type_Matcher_V3_StringMatcher {
        var matcher = Envoy_Type_Matcher_V3_StringMatcher()
        if regex { matcher.safeRegex = regexMatcher(value) } else { matcher.exact = value }
        return matcher
    }

    // MARK: Destinations

    typealias ClusterSpecifier = Envoy_Config_Route_V3_RouteAction.OneOf_ClusterSpecifier

    private func clusterSpecifier(_ destination: RouteDestination?, route: ResolvedRoute) -> Result<ClusterSpecifier, Failure> {
        let namespace = route.owner.namespace
        switch destination {
        case .single(let single):
            return clusterName(single, namespace: namespace, route: route).map { .cluster($0.name) }
        case .multi(let multi):
            return weighted(multi.destinations, namespace: namespace, route: route)
        case .upstreamGroup(let ref):
            let target = ref.defaultingNamespace(to: namespace)
            guard let group = upstreamGroups[target] else { return .failure(Failure("UpstreamGroup \(target) not found")) }
            return weighted(group.destinations, namespace: target.namespace, route: route)
        case .clusterHeader, .dynamicForwardProxy, nil:
            return .failure(Failure("no destination gloo-hashi can serve"))
        }
    }

    private func weighted(
        _ destinations: [WeightedDestination], namespace: String, route: ResolvedRoute
    ) -> Result<ClusterSpecifier, Failure> {
        var clusters = Envoy_Config_Route_V3_WeightedCluster()
        for weighted in destinations where (weighted.weight ?? 0) > 0 {
            guard let destination = weighted.destination else { return .failure(Failure("a weighted destination is empty")) }
            switch clusterName(destination, namespace: namespace, route: route) {
            case .success(let target):
                var cluster = Envoy_Config_Route_V3_WeightedCluster.ClusterWeight()
                cluster.name = target.name
                if let metadata = target.metadata { cluster.metadataMatch = metadata }
                cluster.weight = Google_Protobuf_UInt32Value(weighted.weight ?? 0)
                if let headers = weighted.options?.headerManipulation {
                    cluster.requestHeadersToAdd = Self.headerOptions(headers.requestHeadersToAdd)
                    cluster.requestHeadersToRemove = headers.requestHeadersToRemove
                    cluster.responseHeadersToAdd = Self.headerOptions(headers.responseHeadersToAdd)
                    cluster.responseHeadersToRemove = headers.responseHeadersToRemove
                }
                do {
                    try Self.applyFilterOptions(
                        bufferPerRoute: weighted.options?.bufferPerRoute, csrf: weighted.options?.csrf, localRatelimit: nil,
                        context: context, field: "options", to: &cluster.typedPerFilterConfig)
                } catch {
                    return .failure(Failure("a weighted destination's options cannot be translated: \(error)"))
                }
                clusters.clusters.append(cluster)
            case .failure(let failure):
                return .failure(failure)
            }
        }
        if clusters.clusters.isEmpty { return .failure(Failure("no destination has a weight above 0")) }
        return .success(.weightedClusters(clusters))
    }

    /// The cluster of a destination and the subset metadata its endpoints must carry.
    func clusterName(
        _ destination: Destination, namespace: String, route: ResolvedRoute
    ) -> Result<(name: String, metadata: Envoy_Config_Core_V3_Metadata?), Failure> {
        switch destination.target {
        case .upstream(let ref):
            let target = ref.defaultingNamespace(to: namespace)
            guard upstreams.contains(target) else { return .failure(Failure("Upstream \(target) not found")) }
            let metadata = destination.subset.map { SubsetPlan.lbMetadata($0.values) }
            return .success((EnvoyNames.cluster(target), metadata))
        case .consul(let service):
            guard let upstream = consulServices[service.serviceName] else {
                return .failure(Failure("no Upstream for Consul service '\(service.serviceName)'"))
            }
            let labels = SubsetPlan.labels(for: service)
            return .success((EnvoyNames.cluster(upstream), labels.isEmpty ? nil : SubsetPlan.lbMetadata(labels)))
        case .kube, nil:
            return .failure(Failure("destination has no upstream"))
        }
    }

    // MARK: Actions and options

    static func redirect(_ redirect: RedirectAction) -> Envoy_Config_Route_V3_RedirectAction {
        var envoy = Envoy_Config_Route_V3_RedirectAction()
        envoy.hostRedirect = redirect.hostRedirect
        if let port = redirect.portRedirect { envoy.portRedirect = port }
        if redirect.httpsRedirect { envoy.httpsRedirect = true }
        switch redirect.pathRewrite {
        case .pathRedirect(let path): envoy.pathRedirect = path
        case .prefixRewrite(let prefix): envoy.prefixRewrite = prefix
        case .regexRewrite(let rewrite): envoy.regexRewrite = regexRewrite(rewrite)
        case nil: break
        }
        envoy.stripQuery = redirect.stripQuery
        switch redirect.responseCode {
        case .movedPermanently, nil: envoy.responseCode = .movedPermanently
        case .found: envoy.responseCode = .found
        case .seeOther: envoy.responseCode = .seeOther
        case .temporaryRedirect: envoy.responseCode = .temporaryRedirect
        case .permanentRedirect: envoy.responseCode = .permanentRedirect
        }
        return envoy
    }

    private func directResponse(_ status: UInt32, body: String) -> Envoy_Config_Route_V3_DirectResponseAction {
        var direct = Envoy_Config_Route_V3_DirectResponseAction()
        direct.status = status
        if !body.isEmpty { direct.body.inlineString = body }
        return direct
    }

    private func apply(
        _ options: RouteOptions?, to action: inout Envoy_Config_Route_V3_RouteAction,
        route: inout Envoy_Config_Route_V3_Route, owner: ResourceKey, path: String
    ) throws {
        guard let options else { return }
        if let prefix = options.prefixRewrite { action.prefixRewrite = prefix }
        if let timeout = options.timeout { action.timeout = ClusterTranslator.duration(timeout) }
        if let retries = options.retries { action.retryPolicy = try Self.retryPolicy(retries) }
        switch options.hostRewrite {
        case .hostRewrite(let host): action.hostRewriteLiteral = host
        case .autoHostRewrite(let auto): action.autoHostRewrite = Google_Protobuf_BoolValue(auto)
        case .hostRewriteHeader(let header): action.hostRewriteHeader = header
        case .hostRewritePathRegex(let rewrite): action.hostRewritePathRegex = Self.regexRewrite(rewrite)
        case nil: break
        }
        if options.appendXForwardedHost == true { action.appendXForwardedHost = true }
        if let rewrite = options.regexRewrite { action.regexRewrite = Self.regexRewrite(rewrite) }
        if let idle = options.idleTimeout { action.idleTimeout = ClusterTranslator.duration(idle) }
        if let limits = options.maxStreamDuration {
            if let value = limits.maxStreamDuration { action.maxStreamDuration.maxStreamDuration = ClusterTranslator.duration(value) }
            if let value = limits.grpcTimeoutHeaderMax { action.maxStreamDuration.grpcTimeoutHeaderMax = ClusterTranslator.duration(value) }
            if let value = limits.grpcTimeoutHeaderOffset {
                action.maxStreamDuration.grpcTimeoutHeaderOffset = ClusterTranslator.duration(value)
            }
        }
        action.upgradeConfigs = (options.upgrades ?? []).compactMap(Self.upgrade)
        action.hashPolicy = (options.lbHash?.hashPolicies ?? []).compactMap(Self.hashPolicy)
        if let shadowing = options.shadowing { action.requestMirrorPolicies = try mirror(shadowing, owner: owner, path: path) }
        if let faults = options.faults, let fault = try HttpFilterConfigs.fault(faults) {
            route.typedPerFilterConfig[HttpFilterConfigs.faultFilter] = try Google_Protobuf_Any(message: fault)
        }
        try applyHeaders(options, to: &route)
    }

    /// Gloo's shadowing: one mirror policy to the Upstream's cluster, `percentage` of requests.
    private func mirror(
        _ shadowing: RouteShadowing, owner: ResourceKey, path: String
    ) throws -> [Envoy_Config_Route_V3_RouteAction.RequestMirrorPolicy] {
        guard let ref = shadowing.upstream else {
            throw TranslationFailure(fieldPath: "options.shadowing.upstream", reason: "shadowing needs an upstream")
        }
        let percentage = shadowing.percentage ?? 0
        guard (0...100).contains(percentage) else {
            throw TranslationFailure(fieldPath: "options.shadowing.percentage", reason: "\(percentage) is not between 0 and 100")
        }
        let target = ref.defaultingNamespace(to: owner.namespace)
        guard upstreams.contains(target) else {
            // As a missing cluster in Gloo: the route serves, nothing is mirrored.
            report(.warning, owner, path + ".options.shadowing.upstream", "Upstream \(target) not found; requests are not mirrored")
            return []
        }
        var policy = Envoy_Config_Route_V3_RouteAction.RequestMirrorPolicy()
        policy.cluster = EnvoyNames.cluster(target)
        policy.runtimeFraction.defaultValue.numerator = UInt32(percentage * 10_000)
        policy.runtimeFraction.defaultValue.denominator = .million
        if !shadowing.hostRewriteLiteral.isEmpty { policy.hostRewriteLiteral = shadowing.hostRewriteLiteral }
        if shadowing.disableShadowHostSuffixAppend == true { policy.disableShadowHostSuffixAppend = true }
        return [policy]
    }

    /// One of Gloo's hash policies (a header, a cookie, the source IP).
    static func hashPolicy(_ policy: HashPolicy) -> Envoy_Config_Route_V3_RouteAction.HashPolicy? {
        var envoy = Envoy_Config_Route_V3_RouteAction.HashPolicy()
        if let header = policy.header {
            envoy.header.headerName = header
        } else if let cookie = policy.cookie {
            envoy.cookie.name = cookie.name
            if let ttl = cookie.ttl { envoy.cookie.ttl = ClusterTranslator.duration(ttl) }
            envoy.cookie.path = cookie.path
        } else if let sourceIp = policy.sourceIp {
            envoy.connectionProperties.sourceIp = sourceIp
        } else {
            return nil
        }
        envoy.terminal = policy.terminal == true
        return envoy
    }

    /// A route's upgrade: WebSocket, CONNECT, or CONNECT terminated here (`connectTerminate`).
    static func upgrade(_ upgrade: ProtocolUpgrade) -> Envoy_Config_Route_V3_RouteAction.UpgradeConfig? {
        var config = Envoy_Config_Route_V3_RouteAction.UpgradeConfig()
        let toggle: UpgradeToggle
        if let websocket = upgrade.websocket {
            config.upgradeType = "websocket"
            toggle = websocket
        } else if let connect = upgrade.connect {
            config.upgradeType = "CONNECT"
            toggle = connect
        } else if let terminate = upgrade.connectTerminate {
            config.upgradeType = "CONNECT"
            config.connectConfig = Envoy_Config_Route_V3_RouteAction.UpgradeConfig.ConnectConfig()
            toggle = terminate
        } else {
            return nil
        }
        if let enabled = toggle.enabled { config.enabled = Google_Protobuf_BoolValue(enabled) }
        return config
    }

    static func regexRewrite(_ rewrite: RegexRewrite) -> Envoy_Type_Matcher_V3_RegexMatchAndSubstitute {
        var envoy = Envoy_Type_Matcher_V3_RegexMatchAndSubstitute()
        envoy.pattern = regexMatcher(rewrite.pattern?.regex ?? "")
        envoy.substitution = rewrite.substitution
        return envoy
    }

    /// Options that only mean something where a route forwards to an upstream: reported on a
    /// redirect or direct response (Gloo rejects the VirtualService; the route serves here).
    private func reportForwardingOnly(_ options: RouteOptions?, route: ResolvedRoute) {
        let names = options?.forwardingOnlyOptionsSet ?? []
        guard !names.isEmpty else { return }
        report(.warning, route.owner, route.fieldPath + ".options",
               names.joined(separator: ", ") + " only apply to routeAction routes; not applied to this route")
    }

    private func applyHeaders(_ options: RouteOptions?, to route: inout Envoy_Config_Route_V3_Route) throws {
        guard let options else { return }
        if let headers = options.headerManipulation {
            route.requestHeadersToAdd = Self.headerOptions(headers.requestHeadersToAdd)
            route.requestHeadersToRemove = headers.requestHeadersToRemove
            route.responseHeadersToAdd = Self.headerOptions(headers.responseHeadersToAdd)
            route.responseHeadersToRemove = headers.responseHeadersToRemove
        }
        if let cors = options.cors {
            route.typedPerFilterConfig[Self.corsFilter] = try Google_Protobuf_Any(message: Self.corsPolicy(cors))
        }
        try Self.applyFilterOptions(
            bufferPerRoute: options.bufferPerRoute, csrf: options.csrf, localRatelimit: options.ratelimit?.localRatelimit,
            context: context, field: "options", to: &route.typedPerFilterConfig)
        if let tracing = options.tracing { try TracingConfigs.apply(tracing, to: &route) }
    }

    /// The per-route configurations of the buffer, CSRF and local rate limit filters, for a
    /// route, virtual host or weighted destination (`field` names its options).
    static func applyFilterOptions(
        bufferPerRoute: BufferPerRoute?, csrf: CsrfPolicy?, localRatelimit: TokenBucket?, context: HostContext, field: String,
        to configs: inout [String: Google_Protobuf_Any]
    ) throws {
        if let option = bufferPerRoute, let buffer = try HttpFilterConfigs.bufferPerRoute(option, field: field + ".bufferPerRoute") {
            configs[HttpFilterConfigs.bufferFilter] = try Google_Protobuf_Any(message: buffer)
        }
        if let csrf {
            configs[HttpFilterConfigs.csrfFilter] = try Google_Protobuf_Any(message: HttpFilterConfigs.csrf(csrf, field: field + ".csrf"))
        }
        if let bucket = localRatelimit {
            let limit = try HttpFilterConfigs.localRateLimit(context.localRateLimit, bucket: bucket, field: field + ".ratelimit.localRatelimit")
            configs[HttpFilterConfigs.localRateLimitFilter] = try Google_Protobuf_Any(message: limit)
        }
    }

    /// Gloo's retry policy: `retryOn` as written (empty retries on nothing but
    /// `retriableStatusCodes`), one retry unless set, and the back-off checks Gloo makes.
    static func retryPolicy(_ retries: RetryPolicy) throws -> Envoy_Config_Route_V3_RetryPolicy {
        var policy = Envoy_Config_Route_V3_RetryPolicy()
        policy.retryOn = retries.retryOn
        policy.numRetries = Google_Protobuf_UInt32Value(retries.numRetries == 0 ? 1 : retries.numRetries)
        if let perTry = retries.perTryTimeout { policy.perTryTimeout = ClusterTranslator.duration(perTry) }
        policy.retriableStatusCodes = retries.retriableStatusCodes
        if let backOff = retries.retryBackOff {
            let zero = ProtoDuration(seconds: 0)
            let (base, max) = (backOff.baseInterval, backOff.maxInterval)
            if base == nil, max != nil {
                throw TranslationFailure(fieldPath: "options.retries.retryBackOff", reason: "maxInterval is set without baseInterval")
            }
            if let base, base <= zero { throw TranslationFailure(fieldPath: "options.retries.retryBackOff", reason: "baseInterval must be greater than zero") }
            if let max, max <= zero { throw TranslationFailure(fieldPath: "options.retries.retryBackOff", reason: "maxInterval must be greater than zero") }
            if let base, let max, base > max {
                throw TranslationFailure(fieldPath: "options.retries.retryBackOff", reason: "baseInterval \(base) is greater than maxInterval \(max)")
            }
            if let base { policy.retryBackOff.baseInterval = ClusterTranslator.duration(base) }
            if let max { policy.retryBackOff.maxInterval = ClusterTranslator.duration(max) }
        }
        if let limited = retries.rateLimitedRetryBackOff {
            policy.rateLimitedRetryBackOff.resetHeaders = limited.resetHeaders.map { header in
                var envoy = Envoy_Config_Route_V3_RetryPolicy.ResetHeader()
                envoy.name = header.name
                envoy.format = header.format == .unixTimestamp ? .unixTimestamp : .seconds
                return envoy
            }
            if let max = limited.maxInterval { policy.rateLimitedRetryBackOff.maxInterval = ClusterTranslator.duration(max) }
        }
        return policy
    }

    static func headerOptions(_ options: [HeaderValueOption]) -> [Envoy_Config_Core_V3_HeaderValueOption] {
        options.compactMap { option in
            guard let header = option.header else { return nil }
            var envoy = Envoy_Config_Core_V3_HeaderValueOption()
            envoy.header.key = header.key
            envoy.header.value = header.value
            envoy.appendAction = (option.append ?? true) ? .appendIfExistsOrAdd : .overwriteIfExistsOrAdd
            return envoy
        }
    }

    static func corsPolicy(_ cors: CorsPolicy) -> Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy {
        var policy = Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy()
        policy.allowOriginStringMatch = cors.allowOrigin.map { stringMatcher($0, regex: false) }
            + cors.allowOriginRegex.map { stringMatcher($0, regex: true) }
        policy.allowMethods = cors.allowMethods.joined(separator: ",")
        policy.allowHeaders = cors.allowHeaders.joined(separator: ",")
        policy.exposeHeaders = cors.exposeHeaders.joined(separator: ",")
        policy.maxAge = cors.maxAge
        if cors.allowCredentials { policy.allowCredentials = Google_Protobuf_BoolValue(true) }
        if cors.disableForRoute { policy.filterEnabled.defaultValue.numerator = 0 }
        return policy
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
