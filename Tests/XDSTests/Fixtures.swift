import EnvoyAPI
import Foundation
import SwiftProtobuf

@testable import XDS

/// Small Envoy resources for the XDS tests.
enum Fixtures {
    static func edsCluster(_ name: String) throws -> XDSResource {
        var cluster = Envoy_Config_Cluster_V3_Cluster()
        cluster.name = name
        cluster.clusterDiscoveryType = .type(.eds)
        cluster.edsClusterConfig.edsConfig.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
        cluster.connectTimeout = Google_Protobuf_Duration(seconds: 1)
        return try XDSResource(cluster: cluster)
    }

    static func loadAssignment(_ name: String, port: UInt32 = 8080) throws -> XDSResource {
        var endpoint = Envoy_Config_Endpoint_V3_LbEndpoint()
        endpoint.endpoint.address.socketAddress.address = "127.0.0.1"
        endpoint.endpoint.address.socketAddress.portValue = port
        var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
        locality.lbEndpoints = [endpoint]
        var assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment()
        assignment.clusterName = name
        assignment.endpoints = [locality]
        return try XDSResource(loadAssignment: assignment)
    }

    static func listener(_ name: String, routeConfig: String) throws -> XDSResource {
        var manager = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager()
        manager.statPrefix = name
        var rds = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_Rds()
        rds.routeConfigName = routeConfig
        rds.configSource.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
        manager.routeSpecifier = .rds(rds)
        var filter = Envoy_Config_Listener_V3_Filter()
        filter.name = "envoy.filters.network.http_connection_manager"
        filter.typedConfig = try Google_Protobuf_Any(message: manager)
        var chain = Envoy_Config_Listener_V3_FilterChain()
        chain.filters = [filter]
        var listener = Envoy_Config_Listener_V3_Listener()
        listener.name = name
        listener.address.socketAddress.address = "0.0.0.0"
        listener.address.socketAddress.portValue = 8080
        listener.filterChains = [chain]
        return try XDSResource(listener: listener)
    }

    static func routeConfiguration(_ name: String, cluster: String) throws -> XDSResource {
        var route = Envoy_Config_Route_V3_Route()
        route.match.prefix = "/"
        route.route.cluster = cluster
        var host = Envoy_Config_Route_V3_VirtualHost()
        host.name = "all"
        host.domains = ["*"]
        host.routes = [route]
        var config = Envoy_Config_Route_V3_RouteConfiguration()
        config.name = name
        config.virtualHosts = [host]
        return try XDSResource(routeConfiguration: config)
    }

    /// A consistent snapshot: clusters with their assignments, one listener, one route config
    /// routing to the first cluster.
    static func snapshot(clusters: [String], port: UInt32 = 8080) throws -> XDSSnapshot {
        var resources: [XDSResource] = []
        for name in clusters {
            resources.append(try edsCluster(name))
            resources.append(try loadAssignment(name, port: port))
        }
        resources.append(try listener("http", routeConfig: "http-routes"))
        resources.append(try routeConfiguration("http-routes", cluster: clusters.first ?? "none"))
        return try XDSSnapshot(resources)
    }

    static func sotwRequest(
        _ type: TypeURL, names: [String] = [], version: String = "", nonce: String = "", error: String? = nil,
        node: String? = "envoy-1"
    ) -> Envoy_Service_Discovery_V3_DiscoveryRequest {
        var request = Envoy_Service_Discovery_V3_DiscoveryRequest()
        request.typeURL = type.rawValue
        request.resourceNames = names
        request.versionInfo = version
        request.responseNonce = nonce
        if let node { request.node.id = node }
        if let error { request.errorDetail.message = error; request.errorDetail.code = 3 }
        return request
    }

    static func deltaRequest(
        _ type: TypeURL, subscribe: [String] = [], unsubscribe: [String] = [], initial: [String: String] = [:],
        nonce: String = "", error: String? = nil
    ) -> Envoy_Service_Discovery_V3_DeltaDiscoveryRequest {
        var request = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest()
        request.typeURL = type.rawValue
        request.resourceNamesSubscribe = subscribe
        request.resourceNamesUnsubscribe = unsubscribe
        request.initialResourceVersions = initial
        request.responseNonce = nonce
        if let error { request.errorDetail.message = error }
        return request
    }

    static func names(_ response: Envoy_Service_Discovery_V3_DiscoveryResponse) -> [String] {
        // Through the wire form, as Envoy reads it (whole-type bodies are shared raw bytes).
        let decoded = (try? Envoy_Service_Discovery_V3_DiscoveryResponse(serializedBytes: response.serializedBytes() as [UInt8]))
            ?? response
        return decoded.resources.map { any -> String in
            switch any.typeURL {
            case TypeURL.cluster.rawValue: (try? Envoy_Config_Cluster_V3_Cluster(serializedBytes: any.value).name) ?? "?"
            case TypeURL.endpoint.rawValue:
                (try? Envoy_Config_Endpoint_V3_ClusterLoadAssignment(serializedBytes: any.value).clusterName) ?? "?"
            case TypeURL.listener.rawValue: (try? Envoy_Config_Listener_V3_Listener(serializedBytes: any.value).name) ?? "?"
            case TypeURL.route.rawValue:
                (try? Envoy_Config_Route_V3_RouteConfiguration(serializedBytes: any.value).name) ?? "?"
            case TypeURL.scopedRoute.rawValue:
                (try? Envoy_Config_Route_V3_ScopedRouteConfiguration(serializedBytes: any.value).name) ?? "?"
            default: "?"
            }
        }
    }
}
