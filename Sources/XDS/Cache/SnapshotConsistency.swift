import EnvoyAPI
import SwiftProtobuf

/// Finds the names one resource needs from another type: an EDS cluster its load assignment, a
/// listener its route configurations, a routing scope its route configuration, TLS contexts
/// their SDS secrets.
enum SnapshotConsistency {
    static let httpConnectionManagerType =
        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
    static let upstreamTlsType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"
    static let downstreamTlsType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"

    /// Every reference in `snapshot` whose target is missing.
    static func danglingReferences(in snapshot: XDSSnapshot) throws(SnapshotError) -> [DanglingReference] {
        var dangling: [DanglingReference] = []
        for resource in snapshot.resources(of: .cluster).values.sorted(by: { $0.name < $1.name }) {
            for (type, name) in try references(of: resource) where snapshot.resources(of: type)[name] == nil {
                dangling.append(DanglingReference(from: .cluster, fromName: resource.name, to: type, toName: name))
            }
        }
        for from in [TypeURL.listener, .scopedRoute] {
            for resource in snapshot.resources(of: from).values.sorted(by: { $0.name < $1.name }) {
                for (type, name) in try references(of: resource) where snapshot.resources(of: type)[name] == nil {
                    dangling.append(DanglingReference(from: from, fromName: resource.name, to: type, toName: name))
                }
            }
        }
        return dangling
    }

    /// The (type, name) pairs a cluster, listener or routing scope references.
    static func references(of resource: XDSResource) throws(SnapshotError) -> [(TypeURL, String)] {
        do {
            switch resource.typeURL {
            case .cluster:
                let cluster = try resource.message(Envoy_Config_Cluster_V3_Cluster.self)
                var result: [(TypeURL, String)] = []
                if case .type(.eds) = cluster.clusterDiscoveryType {
                    let serviceName = cluster.edsClusterConfig.serviceName
                    result.append((.endpoint, serviceName.isEmpty ? cluster.name : serviceName))
                }
                result += try secrets(in: cluster.transportSocket)
                return result
            case .listener:
                let listener = try resource.message(Envoy_Config_Listener_V3_Listener.self)
                var result: [(TypeURL, String)] = []
                var chains = listener.filterChains
                if listener.hasDefaultFilterChain { chains.append(listener.defaultFilterChain) }
                for chain in chains {
                    result += try secrets(in: chain.transportSocket)
                    for filter in chain.filters where filter.typedConfig.typeURL == httpConnectionManagerType {
                        let manager = try Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager(
                            serializedBytes: filter.typedConfig.value)
                        if case .rds(let rds) = manager.routeSpecifier { result.append((.route, rds.routeConfigName)) }
                    }
                }
                return result
            case .scopedRoute:
                let scope = try resource.message(Envoy_Config_Route_V3_ScopedRouteConfiguration.self)
                return scope.routeConfigurationName.isEmpty ? [] : [(.route, scope.routeConfigurationName)]
            default:
                return []
            }
        } catch let error as SnapshotError {
            throw error
        } catch {
            throw SnapshotError.undecodable(type: resource.typeURL, name: resource.name, cause: "\(error)")
        }
    }

    private static func secrets(in socket: Envoy_Config_Core_V3_TransportSocket) throws -> [(TypeURL, String)] {
        let common: Envoy_Extensions_TransportSockets_Tls_V3_CommonTlsContext
        switch socket.typedConfig.typeURL {
        case upstreamTlsType:
            common = try Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext(serializedBytes: socket.typedConfig.value)
                .commonTlsContext
        case downstreamTlsType:
            common = try Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext(serializedBytes: socket.typedConfig.value)
                .commonTlsContext
        default:
            return []
        }
        var names = common.tlsCertificateSdsSecretConfigs.map(\.name)
        switch common.validationContextType {
        case .validationContextSdsSecretConfig(let config): names.append(config.name)
        case .combinedValidationContext(let combined): names.append(combined.validationContextSdsSecretConfig.name)
        default: break
        }
        return names.filter { !$0.isEmpty }.map { (.secret, $0) }
    }
}
