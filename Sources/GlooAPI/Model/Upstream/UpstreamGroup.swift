/// A weighted set of destinations routes can name as one (`gloo.solo.io/v1/UpstreamGroup`).
public struct UpstreamGroup: Resource {
    public static let kind = ResourceKind.upstreamGroup

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    /// Pre-1.x top-level status: accepted and ignored.
    public var status: ConfigValue?
    public var destinations: [WeightedDestination]

    public init(metadata: Metadata, destinations: [WeightedDestination]) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.destinations = destinations
    }
}
