/// The xDS type URLs, in one place (REFERENCE.md section 8), in the order a make-before-break
/// push sends them: clusters, endpoints, listeners, scoped routes, routes, then secrets.
public enum TypeURL: String, CaseIterable, Hashable, Sendable, Comparable {
    case cluster = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
    case endpoint = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
    case listener = "type.googleapis.com/envoy.config.listener.v3.Listener"
    case scopedRoute = "type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration"
    case route = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
    case virtualHost = "type.googleapis.com/envoy.config.route.v3.VirtualHost"
    case secret = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"

    /// Whether an empty `resource_names` subscribes to every resource (LDS and CDS).
    public var emptyNamesMeanWildcard: Bool { self == .cluster || self == .listener }

    /// Position in the push order.
    public var pushOrder: Int { TypeURL.allCases.firstIndex(of: self)! }

    public static func < (lhs: TypeURL, rhs: TypeURL) -> Bool { lhs.pushOrder < rhs.pushOrder }
}

extension TypeURL {
    /// `CDS`, `EDS`, `LDS`, `SRDS`, `RDS`, `VHDS`, `SDS`.
    public var shortName: String {
        switch self {
        case .cluster: "CDS"
        case .endpoint: "EDS"
        case .listener: "LDS"
        case .scopedRoute: "SRDS"
        case .route: "RDS"
        case .virtualHost: "VHDS"
        case .secret: "SDS"
        }
    }
}
