import EnvoyAPI
import Foundation
import SwiftProtobuf

/// One Envoy resource, serialized once: its name, type, bytes and content-hash version.
public struct XDSResource: Hashable, Sendable {
    public let name: String
    public let typeURL: TypeURL
    /// The serialized message (deterministic field and map order).
    public let payload: Data
    /// A hash of the payload: equal bytes, equal version.
    public let version: String

    /// Serializes `message` deterministically.
    public init(name: String, typeURL: TypeURL, message: some SwiftProtobuf.Message) throws {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        let payload: Data = try message.serializedBytes(options: options)
        self.init(name: name, typeURL: typeURL, payload: payload)
    }

    public init(name: String, typeURL: TypeURL, payload: Data) {
        self.name = name
        self.typeURL = typeURL
        self.payload = payload
        self.version = ContentHash.hex(payload)
    }

    /// The resource packed as `google.protobuf.Any`.
    public var any: Google_Protobuf_Any {
        var any = Google_Protobuf_Any()
        any.typeURL = typeURL.rawValue
        any.value = payload
        return any
    }

    /// Decodes the payload as `type`.
    public func message<M: SwiftProtobuf.Message>(_ type: M.Type) throws -> M {
        try M(serializedBytes: payload)
    }
}

extension XDSResource {
    public init(cluster: Envoy_Config_Cluster_V3_Cluster) throws {
        try self.init(name: cluster.name, typeURL: .cluster, message: cluster)
    }

    public init(loadAssignment: Envoy_Config_Endpoint_V3_ClusterLoadAssignment) throws {
        try self.init(name: loadAssignment.clusterName, typeURL: .endpoint, message: loadAssignment)
    }

    public init(listener: Envoy_Config_Listener_V3_Listener) throws {
        try self.init(name: listener.name, typeURL: .listener, message: listener)
    }

    public init(routeConfiguration: Envoy_Config_Route_V3_RouteConfiguration) throws {
        try self.init(name: routeConfiguration.name, typeURL: .route, message: routeConfiguration)
    }

    public init(scopedRoute: Envoy_Config_Route_V3_ScopedRouteConfiguration) throws {
        try self.init(name: scopedRoute.name, typeURL: .scopedRoute, message: scopedRoute)
    }

    public init(secret: Envoy_Extensions_TransportSockets_Tls_V3_Secret) throws {
        try self.init(name: secret.name, typeURL: .secret, message: secret)
    }
}
