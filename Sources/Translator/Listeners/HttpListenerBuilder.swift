import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Envoy Listeners for Gateways: HTTP chains with the connection manager over RDS (one
/// RouteConfiguration per chain) or scoped RDS (one per VirtualService), TCP chains with tcp_proxy, SNI matching and TLS termination.
enum HttpListenerBuilder {
    static let connectionManagerFilter = "envoy.filters.network.http_connection_manager"
    static let tcpProxyFilter = "envoy.filters.network.tcp_proxy"
    static let routerFilter = "envoy.filters.http.router"
    static let tlsInspector = "envoy.filters.listener.tls_inspector"
    static let proxyProtocol = "envoy.filters.listener.proxy_protocol"

    /// One filter chain of a listener.
    struct Chain {
        /// SNI names this chain answers; empty = the default chain.
        var serverNames: [String]
        var transportSocket: Envoy_Config_Core_V3_TransportSocket?
        /// Network filters in order, the connection manager or TCP proxy last.
        var filters: [Envoy_Config_Listener_V3_Filter]
        /// How long the TLS handshake may take (`sslConfig.transportSocketConnectTimeout`).
        var transportSocketConnectTimeout: ProtoDuration? = nil
        /// Client addresses this chain takes (a hybrid Gateway's matcher); empty: any.
        var sourcePrefixRanges: [Envoy_Config_Core_V3_CidrRange] = []

        /// What Envoy matches the chain on; two chains of a listener must differ in it.
        var matchKey: String {
            let ranges = sourcePrefixRanges.map { "\($0.addressPrefix)/\($0.hasPrefixLen ? $0.prefixLen.value : 0)" }.sorted()
            return ranges.joined(separator: ",") + "|" + serverNames.sorted().joined(separator: ",")
        }
    }

    static func listener(
        name: String, bindAddress: String, port: UInt32, chains: [Chain], options: ListenerOptions?, useProxyProtocol: Bool
    ) throws -> Envoy_Config_Listener_V3_Listener {
        var listener = Envoy_Config_Listener_V3_Listener()
        listener.name = name
        listener.address = socketAddress(bindAddress, port: port)
        listener.filterChains = chains.map { chain in
            var envoyChain = Envoy_Config_Listener_V3_FilterChain()
            if !chain.serverNames.isEmpty { envoyChain.filterChainMatch.serverNames = chain.serverNames }
            if !chain.sourcePrefixRanges.isEmpty { envoyChain.filterChainMatch.sourcePrefixRanges = chain.sourcePrefixRanges }
            if let socket = chain.transportSocket { envoyChain.transportSocket = socket }
            if let timeout = chain.transportSocketConnectTimeout {
                envoyChain.transportSocketConnectTimeout = ClusterTranslator.duration(timeout)
            }
            envoyChain.filters = chain.filters
            return envoyChain
        }
        if useProxyProtocol {
            var filter = Envoy_Config_Listener_V3_ListenerFilter()
            filter.name = proxyProtocol
            filter.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_Filters_Listener_ProxyProtocol_V3_ProxyProtocol())
            listener.listenerFilters.append(filter)
        }
        if chains.contains(where: { !$0.serverNames.isEmpty || $0.transportSocket != nil }) {
            var filter = Envoy_Config_Listener_V3_ListenerFilter()
            filter.name = tlsInspector
            filter.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_Filters_Listener_TlsInspector_V3_TlsInspector())
            listener.listenerFilters.append(filter)
        }
        if let limit = options?.perConnectionBufferLimitBytes {
            listener.perConnectionBufferLimitBytes = Google_Protobuf_UInt32Value(limit)
        }
        return listener
    }

    /// The HTTP connection manager filter, routes over RDS (`mode` single) or scoped RDS (one
    /// RouteConfiguration per scope, scopes keyed on the host without its port), with the HTTP
    /// filters the Gateway's options and its routes' `filters` need.
    static func connectionManager(
        routeConfiguration: String, mode: RouteMode, filters: HttpFilterUse, options: HttpListenerOptions?,
        accessLogs: [Envoy_Config_Accesslog_V3_AccessLog], tracing: TracingConfigs.Tracing? = nil
    ) throws -> Envoy_Config_Listener_V3_Filter {
        let settings = options?.httpConnectionManagerSettings
        var manager = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager()
        manager.statPrefix = "http"
        manager.codecType = .auto
        switch mode {
        case .single:
            var rds = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_Rds()
            rds.routeConfigName = routeConfiguration
            rds.configSource = adsSource
            manager.rds = rds
        case .scoped:
            manager.scopedRoutes = scopedRoutes(routeConfiguration)
        }
        if let settings { try HttpConnectionSettingsBuilder.apply(settings, to: &manager) }
        HttpConnectionSettingsBuilder.applyGlooDefaults(settings, to: &manager)
        manager.accessLog = accessLogs
        if let tracing { manager.tracing = tracing }
        if mode == .scoped { manager.httpFilters.append(try hostCaseFilter()) }
        manager.httpFilters += try httpFilters(filters, options: options)
        var router = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
        router.name = routerFilter
        router.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_Filters_Http_Router_V3_Router())
        manager.httpFilters.append(router)

        var filter = Envoy_Config_Listener_V3_Filter()
        filter.name = connectionManagerFilter
        filter.typedConfig = try Google_Protobuf_Any(message: manager)
        return filter
    }

    static var adsSource: Envoy_Config_Core_V3_ConfigSource {
        var source = Envoy_Config_Core_V3_ConfigSource()
        source.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
        source.resourceApiVersion = .v3
        return source
    }

    /// Scoped routes for one chain: the scope key is `:authority` up to its first `:`, and the
    /// scopes come from the chain's own xdstp collection (a plain SRDS subscription is one
    /// wildcard per Envoy, shared by every connection manager, so gateways would capture each
    /// other's hosts).
    static func scopedRoutes(
        _ routeConfiguration: String
    ) -> Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_ScopedRoutes {
        typealias ScopedRoutes = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_ScopedRoutes
        var extractor = ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor()
        extractor.name = ":authority"
        extractor.elementSeparator = ":"
        extractor.index = 0
        var fragment = ScopedRoutes.ScopeKeyBuilder.FragmentBuilder()
        fragment.headerValueExtractor = extractor
        var scoped = ScopedRoutes()
        scoped.name = routeConfiguration
        scoped.scopeKeyBuilder.fragments = [fragment]
        scoped.rdsConfigSource = adsSource
        var rds = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_ScopedRds()
        rds.scopedRdsConfigSource = adsSource
        rds.srdsResourcesLocator = EnvoyNames.scopeCollection(routeConfiguration: routeConfiguration)
        scoped.scopedRds = rds
        return scoped
    }

    /// Gloo's filters in Gloo's order (by stage, then name): compressor and fault, CORS, local
    /// rate limit, health check, buffer and CSRF. The router follows.
    static func httpFilters(
        _ use: HttpFilterUse, options: HttpListenerOptions?
    ) throws -> [Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter] {
        func filter(_ name: String, _ config: any SwiftProtobuf.Message) throws -> Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter {
            var filter = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
            filter.name = name
            filter.typedConfig = try Google_Protobuf_Any(message: config)
            return filter
        }
        var filters: [Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter] = []
        if let gzip = options?.gzip { filters.append(try filter(HttpFilterConfigs.compressorFilter, HttpFilterConfigs.compressor(gzip))) }
        if use.contains(.fault) { filters.append(try filter(HttpFilterConfigs.faultFilter, Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault())) }
        if use.contains(.cors) { filters.append(try filter(EnvoyRouteBuilder.corsFilter, Envoy_Extensions_Filters_Http_Cors_V3_Cors())) }
        if let settings = options?.httpLocalRatelimit {
            filters.append(try filter(HttpFilterConfigs.localRateLimitFilter, HttpFilterConfigs.localRateLimit(
                settings, bucket: settings.defaultLimit, field: "httpGateway.options.httpLocalRatelimit.defaultLimit")))
        } else if use.contains(.localRateLimit) {
            filters.append(try filter(HttpFilterConfigs.localRateLimitFilter,
                                      HttpFilterConfigs.localRateLimit(nil, bucket: nil, field: "httpGateway.options.httpLocalRatelimit")))
        }
        if let check = options?.healthCheck { filters.append(try healthCheckFilter(check)) }
        if let buffer = options?.buffer {
            filters.append(try filter(HttpFilterConfigs.bufferFilter, HttpFilterConfigs.buffer(buffer, field: "httpGateway.options.buffer")))
        }
        if options?.csrf != nil || use.contains(.csrf) {
            filters.append(try filter(HttpFilterConfigs.csrfFilter, HttpFilterConfigs.csrf(options?.csrf, field: "httpGateway.options.csrf")))
        }
        return filters
    }

    static let luaFilter = "envoy.filters.http.lua"
    static let healthCheckFilterName = "envoy.filters.http.health_check"

    /// Gloo's gateway health check: Envoy answers the exact path itself, not passing it on (so
    /// it fails, with 503, as soon as Envoy drains).
    static func healthCheckFilter(_ check: GatewayHealthCheck) throws -> Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter {
        guard !check.path.isEmpty else {
            throw TranslationFailure(fieldPath: "httpGateway.options.healthCheck.path", reason: "the health check path cannot be empty")
        }
        var config = Envoy_Extensions_Filters_Http_HealthCheck_V3_HealthCheck()
        config.passThroughMode = Google_Protobuf_BoolValue(false)
        var path = Envoy_Config_Route_V3_HeaderMatcher()
        path.name = ":path"
        path.stringMatch.exact = check.path
        config.headers = [path]
        var filter = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
        filter.name = healthCheckFilterName
        filter.typedConfig = try Google_Protobuf_Any(message: config)
        return filter
    }

    /// Scope keys are lowercase hosts and match exactly, while virtual hosts match names in any
    /// case: this filter lowercases a `:authority` with capitals (and so clears the route cache,
    /// which picks the scope again), so both modes answer `Shop.Example.COM` alike.
    static func hostCaseFilter() throws -> Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter {
        var lua = Envoy_Extensions_Filters_Http_Lua_V3_Lua()
        lua.defaultSourceCode.inlineString = """
            function envoy_on_request(handle)
              local headers = handle:headers()
              local authority = headers:get(":authority")
              if authority ~= nil and string.find(authority, "%u") ~= nil then
                headers:replace(":authority", string.lower(authority))
              end
            end
            """
        lua.clearRouteCache_p = Google_Protobuf_BoolValue(true)
        var filter = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
        filter.name = luaFilter
        filter.typedConfig = try Google_Protobuf_Any(message: lua)
        return filter
    }

    /// A tcp_proxy filter to one cluster or to weighted clusters.
    static func tcpProxy(
        statPrefix: String, clusters: [(name: String, weight: UInt32)], accessLogs: [Envoy_Config_Accesslog_V3_AccessLog]
    ) throws -> Envoy_Config_Listener_V3_Filter {
        var proxy = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy()
        proxy.statPrefix = statPrefix
        if clusters.count == 1, let only = clusters.first {
            proxy.cluster = only.name
        } else {
            var weighted = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.WeightedCluster()
            weighted.clusters = clusters.map {
                var cluster = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.WeightedCluster.ClusterWeight()
                cluster.name = $0.name
                cluster.weight = $0.weight
                return cluster
            }
            proxy.weightedClusters = weighted
        }
        proxy.accessLog = accessLogs
        var filter = Envoy_Config_Listener_V3_Filter()
        filter.name = tcpProxyFilter
        filter.typedConfig = try Google_Protobuf_Any(message: proxy)
        return filter
    }

    /// Envoy's address; `::` listens on IPv4 too (as Gloo configures it).
    static func socketAddress(_ host: String, port: UInt32) -> Envoy_Config_Core_V3_Address {
        var address = Envoy_Config_Core_V3_Address()
        address.socketAddress.address = host
        address.socketAddress.portValue = port
        if host == "::" { address.socketAddress.ipv4Compat = true }
        return address
    }
}
