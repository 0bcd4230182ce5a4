import EnvoyAPI
import Foundation
import GlooAPI
import SwiftProtobuf

/// What translating one ApiSnapshot produced: per proxy its Gloo Proxy and Envoy resources, and
/// a report for every resource.
public struct TranslationResult: Sendable {
    public var proxies: [ProxyTranslation]
    public var reports: Reports
}

/// One gateway proxy (one xDS node group).
public struct ProxyTranslation: Sendable {
    /// The xDS node group, `<namespace>~<proxy name>`.
    public var group: String
    public var proxy: Proxy
    public var envoy: EnvoyResources
    /// The route mode of every HTTP filter chain, and why it was chosen.
    public var routeModes: [RouteModeDecision] = []
    /// This translation's number with its cache (nil without one): a later account's `base`.
    public var generation: UInt64? = nil
    /// What `envoy` kept from this proxy's resources in the translation before it.
    public var reuse: ReuseAccount = .none
}

/// The Envoy resources of one proxy, each list sorted by name.
public struct EnvoyResources: Sendable, Equatable {
    public var clusters: [Envoy_Config_Cluster_V3_Cluster] = []
    public var loadAssignments: [Envoy_Config_Endpoint_V3_ClusterLoadAssignment] = []
    public var listeners: [Envoy_Config_Listener_V3_Listener] = []
    public var routeConfigurations: [Envoy_Config_Route_V3_RouteConfiguration] = []
    /// Routing scopes of chains in scoped mode (host to RouteConfiguration).
    public var scopedRouteConfigurations: [Envoy_Config_Route_V3_ScopedRouteConfiguration] = []
    public var secrets: [Envoy_Extensions_TransportSockets_Tls_V3_Secret] = []
    /// Serializations made during translation (reused across translations with a cache), by
    /// resource name; a resource missing here is serialized when published.
    public var payloads = Payloads()

    public init() {}

    /// Serializations in the order of the resource lists (an empty list: none were made; a
    /// nil entry: that one was not).
    public struct Payloads: Sendable, Equatable {
        public var clusters: [Data] = []
        public var loadAssignments: [Data] = []
        public var routeConfigurations: [Data?] = []
        public var scopedRoutes: [Data?] = []
    }

    /// The deterministic protobuf encoding xDS versions are computed from.
    public static func serialize(_ message: some SwiftProtobuf.Message) throws -> Data {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try message.serializedBytes(options: options)
    }
}
