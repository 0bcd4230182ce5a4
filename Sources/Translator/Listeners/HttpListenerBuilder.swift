import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// The Envoy Listener of an HTTP Gateway: one filter chain with the HTTP connection manager,
/// routes over RDS (one RouteConfiguration per listener).
enum HttpListenerBuilder {
    static let connectionManagerFilter = "envoy.filters.network.http_connection_manager"
    static let routerFilter = "envoy.filters.http.router"

    static func listener(
        name: String, bindAddress: String, port: UInt32, routeConfiguration: String, cors: Bool
    ) throws -> Envoy_Config_Listener_V3_Listener {
        var manager = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager()
        manager.statPrefix = "http"
        manager.codecType = .auto
        var rds = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_Rds()
        rds.routeConfigName = routeConfiguration
        rds.configSource.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
        rds.configSource.resourceApiVersion = .v3
        manager.rds = rds
        if cors {
            var filter = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
            filter.name = EnvoyRouteBuilder.corsFilter
            filter.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_Filters_Http_Cors_V3_Cors())
            manager.httpFilters.append(filter)
        }
        var router = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
        router.name = routerFilter
        router.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_Filters_Http_Router_V3_Router())
        manager.httpFilters.append(router)

        var filter = Envoy_Config_Listener_V3_Filter()
        filter.name = connectionManagerFilter
        filter.typedConfig = try Google_Protobuf_Any(message: manager)
        var chain = Envoy_Config_Listener_V3_FilterChain()
        chain.filters = [filter]

        var listener = Envoy_Config_Listener_V3_Listener()
        listener.name = name
        listener.address = socketAddress(bindAddress, port: port)
        listener.filterChains = [chain]
        return listener
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
