/// Routes delegated to by VirtualServices or other RouteTables (`gateway.solo.io/v1/RouteTable`).
public struct RouteTable: Resource {
    public static let kind = ResourceKind.routeTable

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    /// Pre-1.x top-level status: accepted and ignored.
    public var status: ConfigValue?
    public var routes: [Route]
    /// Ordering among tables a selector picks: lower weights come first (Gloo's rule).
    public var weight: Int32?

    public init(metadata: Metadata, routes: [Route], weight: Int32? = nil) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.routes = routes
        self.weight = weight
    }
}
