/// Virtual host options kept apart and shared (`gateway.solo.io/v1/VirtualHostOption`):
/// VirtualServices take them in with `virtualHost.optionsConfigRefs`; their own options win.
public struct VirtualHostOption: Resource {
    public static let kind = ResourceKind.virtualHostOption

    public var metadata: Metadata
    public var namespacedStatuses: NamespacedStatuses
    /// Pre-1.x top-level status: accepted and ignored.
    public var status: ConfigValue?
    public var options: VirtualHostOptions?
    /// Kubernetes Gateway API attachment: there is no Kubernetes Gateway to attach to here.
    public var targetRefs: IgnoredOption?
    public var targetRef: IgnoredOption?

    public init(metadata: Metadata, options: VirtualHostOptions?) {
        self.metadata = metadata
        self.namespacedStatuses = NamespacedStatuses()
        self.options = options
    }
}

/// The VirtualHostOption or RouteOption resources a virtual host or route takes options from,
/// in precedence order (`optionsConfigRefs`).
public struct DelegateOptionsRefs: Hashable, Sendable, Codable {
    public var delegateOptions: [ResourceRef]

    public init(delegateOptions: [ResourceRef]) { self.delegateOptions = delegateOptions }
}
