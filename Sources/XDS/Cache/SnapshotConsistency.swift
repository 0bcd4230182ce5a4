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

    /// Per referring type, what the last check saw: the version of that type and the names of
    /// the types it refers to (a reference only needs its target to exist, so a load assignment
    /// whose content changed does not recheck 10,000 clusters), each resource's references by
    /// content version, and the dangling ones found.
    struct ReferenceMemo: Sendable {
        struct TypeMemo: Sendable {
            var version: String?
            var targetNames: [TypeURL: Dictionary<String, XDSResource>.Keys] = [:]
            var byVersion: [String: [(TypeURL, String)]] = [:]
            var dangling: [DanglingReference] = []
        }

        var byType: [TypeURL: TypeMemo] = [:]
    }

    /// The types each referring type points into.
    static let referenceTargets: [(from: TypeURL, to: [TypeURL])] = [
        (.cluster, [.endpoint, .secret]), (.listener, [.route, .secret]), (.scopedRoute, [.route]),
    ]

    /// Every reference in `snapshot` whose target is missing.
    static func danglingReferences(in snapshot: XDSSnapshot) throws(SnapshotError) -> [DanglingReference] {
        var memo = ReferenceMemo()
        return try danglingReferences(in: snapshot, memo: &memo)
    }

    /// Every reference in `snapshot` whose target is missing. A referring type whose resources
    /// and targets have the versions `memo` saw last is not looked at again, and resources whose
    /// content version `memo` knows are not decoded again: a one-route edit rechecks the scopes
    /// (by lookup), not the 10,000 clusters.
    static func danglingReferences(
        in snapshot: XDSSnapshot, memo: inout ReferenceMemo
    ) throws(SnapshotError) -> [DanglingReference] {
        var dangling: [DanglingReference] = []
        for (from, targets) in referenceTargets {
            let version = snapshot.versions[from] ?? ""
            var targetNames: [TypeURL: Dictionary<String, XDSResource>.Keys] = [:]
            for type in targets { targetNames[type] = snapshot.resources(of: type).keys }
            var typeMemo = memo.byType[from] ?? .init()
            if typeMemo.version != version || typeMemo.targetNames != targetNames {
                var seen: [String: [(TypeURL, String)]] = [:]
                var found: [DanglingReference] = []
                for resource in snapshot.resources(of: from).values {
                    let references: [(TypeURL, String)]
                    if let known = typeMemo.byVersion[resource.version] { references = known } else { references = try self.references(of: resource) }
                    seen[resource.version] = references
                    for (type, name) in references where snapshot.resources(of: type)[name] == nil {
                        found.append(DanglingReference(from: from, fromName: resource.name, to: type, toName: name))
                    }
                }
                typeMemo = .init(version: version, targetNames: targetNames, byVersion: seen, dangling: found)
                memo.byType[from] = typeMemo
            }
            dangling += typeMemo.dangling
        }
        return dangling.sorted { ($0.from, $0.fromName, $0.toName) < ($1.from, $1.fromName, $1.toName) }
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
