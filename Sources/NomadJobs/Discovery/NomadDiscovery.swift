import GlooAPI
import HashiHTTP
import Logging
import Synchronization

/// Nomad native service discovery (`EndpointDiscovery`, REFERENCE.md section 6): every service
/// of the configured namespace becomes an Upstream (one blocking query on `/v1/services`), and
/// the services the configuration references (`nomad` Upstreams, discovered ones that routes
/// use) get their instances as endpoints (one blocking query on `/v1/service/<name>` each).
/// Nomad registers only running allocations and removes them when they stop; failures are
/// retried with backoff while the last good answers keep being served, and reported.
public final class NomadDiscovery: EndpointDiscovery {
    public let name = "nomad"
    /// Where discovered Upstreams and endpoints live (Gloo's discovery namespace).
    public let discoveryNamespace: String
    let services: NomadServicesAPI
    let loop: BlockingQueryLoop
    let logger: Logger
    /// The latest interest, and the running engine that must hear of changes.
    private let current = DiscoveryEngineSlot<NomadDiscoveryEngine>()

    public init(client: NomadHTTPClient, discoveryNamespace: String = "gloo-system", logger: Logger,
                loop: BlockingQueryLoop = BlockingQueryLoop()) {
        self.services = NomadServicesAPI(client: client)
        self.discoveryNamespace = discoveryNamespace
        self.logger = logger
        self.loop = loop
    }

    public func setInterest(_ interest: DiscoveryInterest) async { await current.setInterest(interest) }

    /// Results for as long as the stream is consumed: the first once the service list answered
    /// (or failed), then one per change. One consumer at a time.
    public func discoveries() -> AsyncThrowingStream<DiscoveryResult, any Error> {
        let (stream, continuation) = AsyncThrowingStream<DiscoveryResult, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let engine = NomadDiscoveryEngine(discovery: self) { continuation.yield($0) }
        let task = Task {
            await current.attach(engine)
            await engine.watchList()
            await engine.stop()
            current.detach(engine)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

/// The running state of one `discoveries()` stream: the service list, one watch task per
/// referenced (service, namespace), and what each last answered.
actor NomadDiscoveryEngine: DiscoveryEngine {
    struct WatchKey: Hashable, Comparable {
        var service: String
        /// Empty: the client's namespace.
        var namespace: String

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.service, lhs.namespace) < (rhs.service, rhs.namespace) }
    }

    let discovery: NomadDiscovery
    private let publish: @Sendable (DiscoveryResult) -> Void
    private var interest = DiscoveryInterest()
    private var listed: [NomadServicesAPI.Listed]?
    private var instances: [WatchKey: [NomadServiceRegistration]] = [:]
    private var watches: [WatchKey: Task<Void, Never>] = [:]
    private var problems: [String: String] = [:]
    private var stopped = false

    init(discovery: NomadDiscovery, publish: @escaping @Sendable (DiscoveryResult) -> Void) {
        self.discovery = discovery
        self.publish = publish
    }

    func setInterest(_ interest: DiscoveryInterest) {
        self.interest = interest
        let wanted = Set(interest.nomadServices.flatMap { service, namespaces in
            (namespaces.isEmpty ? [""] : Array(namespaces)).map { WatchKey(service: service, namespace: $0) }
        })
        for (key, task) in watches where !wanted.contains(key) {
            task.cancel()
            watches[key] = nil
            instances[key] = nil
            problems["service \(key.service)"] = nil
        }
        for key in wanted.sorted() where watches[key] == nil && !stopped {
            watches[key] = Task { await self.watchService(key) }
        }
        if listed != nil { publishNow() }
    }

    /// Follows the service list until cancelled.
    nonisolated func watchList() async {
        let services = discovery.services
        await discovery.loop.run({ index in
            try await services.list(index: index)
        }, handle: { event in
            await self.listEvent(event)
        })
    }

    /// Follows one service's instances until cancelled.
    nonisolated func watchService(_ key: WatchKey) async {
        let services = discovery.services
        await discovery.loop.run({ index in
            try await services.instances(key.service, namespace: key.namespace.isEmpty ? nil : key.namespace, index: index)
        }, handle: { event in
            await self.serviceEvent(key, event)
        })
    }

    func stop() {
        stopped = true
        for task in watches.values { task.cancel() }
        watches = [:]
    }

    private func listEvent(_ event: BlockingQueryLoop.Event<[NomadServicesAPI.Listed]>) {
        switch event {
        case .value(let services, _, _):
            listed = services
            problems["services"] = nil
        case .failed(let error, let retryIn):
            problems["services"] = "\(error)"
            discovery.logger.warning("Nomad service list failed; keeping the last answer", metadata: [
                "error": "\(error)", "retryIn": "\(retryIn)",
            ])
        }
        publishNow()
    }

    private func serviceEvent(_ key: WatchKey, _ event: BlockingQueryLoop.Event<[NomadServiceRegistration]>) {
        guard watches[key] != nil else { return }
        switch event {
        case .value(let registrations, _, _):
            instances[key] = registrations
            problems["service \(key.service)"] = nil
        case .failed(let error, _):
            problems["service \(key.service)"] = "\(error)"
        }
        if listed != nil || !problems.isEmpty { publishNow() }
    }

    private func publishNow() {
        let namespace = discovery.discoveryNamespace
        var endpoints: [String: [Endpoint]] = [:]
        for key in instances.keys.sorted() {
            endpoints[key.service, default: []] += NomadDiscoveredUpstreams.endpoints(
                instances[key]!, service: key.service, namespace: namespace, nomadNamespace: key.namespace)
        }
        let complete = listed != nil && watches.keys.allSatisfy { instances[$0] != nil }
        publish(DiscoveryResult(
            upstreams: NomadDiscoveredUpstreams.upstreams(listed ?? [], namespace: namespace), endpoints: endpoints, interest: interest,
            complete: complete, problems: problems.keys.sorted().map { "nomad \($0): \(problems[$0]!)" }, watches: 1 + watches.count))
    }
}
