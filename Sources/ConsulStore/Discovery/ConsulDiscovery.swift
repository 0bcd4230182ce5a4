import HashiHTTP
import GlooAPI
import Logging
import Synchronization

/// Consul catalog discovery (`EndpointDiscovery`): every service in each configured datacenter
/// becomes an Upstream (one blocking query on `/v1/catalog/services` per datacenter), and the
/// services the configuration references get their healthy instances as endpoints (one blocking
/// query on `/v1/health/service/<name>` per referenced service and datacenter that has it;
/// unreferenced services cost nothing). Failures are retried with backoff while the last good
/// answers keep being served, and reported in each result's `problems`.
public final class ConsulDiscovery: EndpointDiscovery {
    public let name = "consul"
    public let options: ConsulDiscoveryOptions
    let catalog: ConsulCatalog
    let health: ConsulHealth
    let resolver: HostnameResolver
    let loop: BlockingQueryLoop
    let logger: Logger
    /// The latest interest, and the running engine that must hear of changes.
    private let current = DiscoveryEngineSlot<ConsulDiscoveryEngine>()

    public init(
        client: ConsulHTTPClient, options: ConsulDiscoveryOptions, logger: Logger, resolver: HostnameResolver = HostnameResolver(),
        loop: BlockingQueryLoop = BlockingQueryLoop()
    ) {
        self.options = options
        self.catalog = ConsulCatalog(client: client)
        self.health = ConsulHealth(client: client)
        self.resolver = resolver
        self.loop = loop
        self.logger = logger
    }

    public func setInterest(_ interest: DiscoveryInterest) async { await current.setInterest(interest) }

    /// Results for as long as the stream is consumed: the first once every datacenter's service
    /// list has answered, then one per change. One consumer at a time.
    public func discoveries() -> AsyncThrowingStream<DiscoveryResult, any Error> {
        let (stream, continuation) = AsyncThrowingStream<DiscoveryResult, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let engine = ConsulDiscoveryEngine(discovery: self) { continuation.yield($0) }
        let task = Task {
            await current.attach(engine)
            await withTaskGroup(of: Void.self) { group in
                for datacenter in engine.datacenters {
                    group.addTask { await engine.watchCatalog(datacenter) }
                }
                group.addTask { await engine.refreshHostnames() }
                await group.waitForAll()
            }
            await engine.stop()
            current.detach(engine)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
