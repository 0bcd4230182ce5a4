/// Route options kept apart and shared (`gateway.solo.io/v1/RouteOption`): routes take them in
/// with `optionsConfigRefs`; a route's own options win.
public struct RouteOption: Resource {
    public static let kind = ResourceKind.routeOption

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    /// Pre-1.x top-level status: accepted and ignored.
    public var status: ConfigValue?
    public var options: RouteOptions? {
        get { storedOptions?.value }
        set { storedOptions = newValue.map(Indirect.init) }
    }
    private var storedOptions: Indirect<RouteOptions>?
    /// Kubernetes Gateway API attachment: there is no Kubernetes route to attach to here.
    public var targetRefs: IgnoredOption?
    public var targetRef: IgnoredOption?

    enum CodingKeys: String, CodingKey {
        case metadata, namespacedStatuses, status, targetRefs, targetRef
        case storedOptions = "options"
    }

    public init(metadata: Metadata, options: RouteOptions?) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.options = options
    }
}
