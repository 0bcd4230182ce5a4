import Translator
import XDS

extension EnvoyResources {
    /// The resources serialized for the xDS cache.
    public func xdsResources() throws -> [XDSResource] {
        try clusters.map(XDSResource.init(cluster:))
            + loadAssignments.map(XDSResource.init(loadAssignment:))
            + listeners.map(XDSResource.init(listener:))
            + routeConfigurations.map(XDSResource.init(routeConfiguration:))
            + secrets.map(XDSResource.init(secret:))
    }
}
