import Translator
import XDS

extension EnvoyResources {
    /// The resources serialized for the xDS cache.
    public func xdsResources() throws -> [XDSResource] {
        try clusters.map { cluster in
            if let payload = payloads.clusters[cluster.name] {
                return XDSResource(name: cluster.name, typeURL: .cluster, payload: payload)
            }
            return try XDSResource(cluster: cluster)
        }
            + loadAssignments.map { assignment in
                if let payload = payloads.loadAssignments[assignment.clusterName] {
                    return XDSResource(name: assignment.clusterName, typeURL: .endpoint, payload: payload)
                }
                return try XDSResource(loadAssignment: assignment)
            }
            + listeners.map(XDSResource.init(listener:))
            + routeConfigurations.map { configuration in
                if let payload = payloads.routeConfigurations[configuration.name] {
                    return XDSResource(name: configuration.name, typeURL: .route, payload: payload)
                }
                return try XDSResource(routeConfiguration: configuration)
            }
            + scopedRouteConfigurations.map(XDSResource.init(scopedRoute:))
            + secrets.map(XDSResource.init(secret:))
    }
}
