import GlooAPI

/// What a chain's Gateway decides about its routes: the `routeOptions` each RouteConfiguration
/// carries, and the context of its virtual hosts. Scoped-mode caches are keyed on it.
struct ChainRouteSettings: Hashable, Sendable {
    var routeOptions: RouteConfigurationOptions?
    var context = HostContext()
}
