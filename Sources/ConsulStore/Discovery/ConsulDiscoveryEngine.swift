import HashiHTTP
import GlooAPI
import Logging

/// The state behind one `ConsulDiscovery.discoveries()` stream: each datacenter's service list,
/// the health watches of the referenced services, and the Upstreams and endpoints made of them.
/// Upstreams are rebuilt only when a service list changes, endpoints only for the service whose
/// instances changed.
actor ConsulDiscoveryEngine: DiscoveryEngine {
    /// One health watch: a service in a datacenter (`""`: the agent's own).
    struct WatchKey: Hashable, Sendable, Comparable {
        var service: String
        var datacenter: String

        static func < (lhs: WatchKey, rhs: WatchKey) -> Bool { (lhs.service, lhs.datacenter) < (rhs.service, rhs.datacenter) }
    }

    /// A running health watch and how it reads; a new read mode replaces the task, not the
    /// answers (they are served until the new watch answers).
    struct HealthWatch {
        var task: Task<Void, Never>
        var read: ConsulReadMode
        var generation: UInt64
    }

    nonisolated let datacenters: [String]
    private let discovery: ConsulDiscovery
    private let emit: @Sendable (DiscoveryResult) -> Void
    private var catalogs: [String: [String: [String]]] = [:]
    private var upstreams: [Upstream] = []
    private var refsByService: [String: [ResourceRef]] = [:]
    private var tagsByService: [String: [String]] = [:]
    private var datacentersByService: [String: [String]] = [:]
    private var interest = DiscoveryInterest()
    private var watches: [WatchKey: HealthWatch] = [:]
    private var generations: UInt64 = 0
    private var entries: [WatchKey: [ConsulHealth.ServiceEntry]] = [:]
    private var endpoints: [String: [Endpoint]] = [:]
    private var hostsByService: [String: Set<String>] = [:]
    private var lookups: [String: Task<Void, Never>] = [:]
    /// What is failing, by source (`catalog dc1`, `health web dc1`).
    private var problems: [String: String] = [:]
    private var stopped = false

    init(discovery: ConsulDiscovery, emit: @escaping @Sendable (DiscoveryResult) -> Void) {
        self.discovery = discovery
        self.emit = emit
        self.datacenters = discovery.options.datacenters.isEmpty ? [""] : discovery.options.datacenters
    }

    // MARK: Watches

    /// Follows the service list of `datacenter` until cancelled.
    nonisolated func watchCatalog(_ datacenter: String) async {
        let catalog = discovery.catalog
        let read = discovery.options.read.listing
        await discovery.loop.run({ index in
            let (services, meta) = try await catalog.services(
                datacenter: datacenter.isEmpty ? nil : datacenter, index: index, read: read)
            return (services, meta.index)
        }, handle: { event in
            await self.catalogEvent(datacenter, event)
        })
    }

    /// Follows the instances of one service in one datacenter until cancelled.
    nonisolated func watchHealth(_ key: WatchKey, read: ConsulReadMode, generation: UInt64) async {
        let health = discovery.health
        await discovery.loop.run({ index in
            let (entries, meta) = try await health.service(
                key.service, datacenter: key.datacenter.isEmpty ? nil : key.datacenter, index: index, read: read)
            return (entries, meta.index)
        }, handle: { event in
            await self.healthEvent(key, generation: generation, event)
        })
    }

    /// Resolves the hostnames instances use again, every `hostnameRefresh`, until cancelled.
    nonisolated func refreshHostnames() async {
        let interval = discovery.options.hostnameRefresh
        while !Task.isCancelled {
            try? await discovery.loop.timeline.sleep(for: interval)
            if Task.isCancelled { return }
            let hosts = await hostsInUse()
            let changed = await discovery.resolver.refresh(hosts)
            discovery.resolver.keep(only: hosts)
            if !changed.isEmpty { await hostnamesChanged(changed) }
        }
    }

    func setInterest(_ interest: DiscoveryInterest) {
        guard interest != self.interest || watches.isEmpty else { return }
        self.interest = interest
        reconcileWatches()
        publish()
    }

    func stop() {
        stopped = true
        for watch in watches.values { watch.task.cancel() }
        for task in lookups.values { task.cancel() }
        watches = [:]
        lookups = [:]
    }

    // MARK: Events

    private func catalogEvent(_ datacenter: String, _ event: BlockingQueryLoop.Event<([String: [String]])>) {
        let source = "catalog" + (datacenter.isEmpty ? "" : " \(datacenter)")
        switch event {
        case .value(let services, _, _):
            recovered(source)
            guard catalogs[datacenter] != services else {
                publish()
                return
            }
            catalogs[datacenter] = services
            rebuildUpstreams()
            reconcileWatches()
            for service in Set(watches.keys.map(\.service)) { rebuildEndpoints(service) }
            publish()
        case .failed(let error, let retryIn):
            failed(source, error, retryIn: retryIn)
        }
    }

    private func healthEvent(_ key: WatchKey, generation: UInt64, _ event: BlockingQueryLoop.Event<[ConsulHealth.ServiceEntry]>) {
        guard watches[key]?.generation == generation else { return }
        let source = "health \(key.service)" + (key.datacenter.isEmpty ? "" : " \(key.datacenter)")
        switch event {
        case .value(let answer, _, _):
            recovered(source)
            if entries[key] == answer { return }
            entries[key] = answer
            rebuildEndpoints(key.service)
            publish()
        case .failed(let error, let retryIn):
            failed(source, error, retryIn: retryIn)
        }
    }

    private func hostnamesChanged(_ hosts: Set<String>) {
        let services = hostsByService.filter { !$0.value.isDisjoint(with: hosts) }.keys
        guard !services.isEmpty else { return }
        for service in services { rebuildEndpoints(service) }
        publish()
    }

    private func hostsInUse() -> Set<String> { hostsByService.values.reduce(into: []) { $0.formUnion($1) } }

    private func recovered(_ source: String) {
        if problems.removeValue(forKey: source) != nil {
            discovery.logger.info("consul discovery recovered", metadata: ["source": "\(source)"])
        }
    }

    private func failed(_ source: String, _ error: any Error, retryIn: Duration) {
        let reason = "\(error)"
        if problems[source] != reason {
            discovery.logger.warning("consul discovery failing; the last good answer keeps being served", metadata: [
                "source": "\(source)", "error": "\(reason)", "retryIn": "\(retryIn)",
            ])
        }
        let isNew = problems[source] == nil
        problems[source] = reason
        if isNew { publish() }
    }

    // MARK: Building the result

    private func rebuildUpstreams() {
        upstreams = DiscoveredUpstreams.upstreams(catalog: catalogs, options: discovery.options)
        var refs: [String: [ResourceRef]] = [:]
        for upstream in upstreams {
            if case .consul(let spec) = upstream.upstreamType { refs[spec.serviceName, default: []].append(upstream.metadata.ref) }
        }
        refsByService = refs
        (tagsByService, datacentersByService) = DiscoveredUpstreams.summary(catalogs)
    }

    /// Starts a health watch for each referenced service in each datacenter that lists it, and
    /// stops those no longer needed (their endpoints go with them).
    private func reconcileWatches() {
        guard !stopped else { return }
        var desired: Set<WatchKey> = []
        for (service, asked) in interest.services {
            for datacenter in datacenters where catalogs[datacenter]?[service] != nil
                && (asked.isEmpty || datacenter.isEmpty || asked.contains(datacenter)) {
                desired.insert(WatchKey(service: service, datacenter: datacenter))
            }
        }
        for key in watches.keys where !desired.contains(key) {
            watches.removeValue(forKey: key)?.task.cancel()
            entries[key] = nil
            problems["health \(key.service)" + (key.datacenter.isEmpty ? "" : " \(key.datacenter)")] = nil
            rebuildEndpoints(key.service)
        }
        for key in desired.sorted() {
            let read = discovery.options.read.reading(interest.consulReads[key.service])
            if let running = watches[key] {
                guard running.read != read else { continue }
                running.task.cancel()
            }
            generations += 1
            let generation = generations
            watches[key] = HealthWatch(task: Task { await self.watchHealth(key, read: read, generation: generation) },
                                       read: read, generation: generation)
        }
    }

    private func rebuildEndpoints(_ service: String) {
        var all: [Endpoint] = []
        var hosts: Set<String> = []
        var unresolved: Set<String> = []
        var answered = false
        for datacenter in datacenters {
            guard let list = entries[WatchKey(service: service, datacenter: datacenter)] else { continue }
            answered = true
            let outcome = ConsulServiceEndpoints.endpoints(
                list, datacenter: datacenter, serviceTags: tagsByService[service] ?? [],
                serviceDatacenters: datacentersByService[service] ?? [], upstreams: refsByService[service] ?? [],
                options: discovery.options, resolve: discovery.resolver.cached)
            all += outcome.endpoints
            unresolved.formUnion(outcome.unresolved)
            hosts.formUnion(outcome.endpoints.map(\.hostname).filter { !$0.isEmpty })
        }
        endpoints[service] = answered ? all : nil
        hosts.formUnion(unresolved)
        hostsByService[service] = hosts.isEmpty ? nil : hosts
        for host in unresolved where lookups[host] == nil && !stopped {
            lookups[host] = Task {
                let changed = await self.discovery.resolver.refresh([host])
                self.lookedUp(host, changed: changed)
            }
        }
    }

    private func lookedUp(_ host: String, changed: Set<String>) {
        lookups[host] = nil
        if changed.isEmpty {
            problems["dns \(host)"] = "the hostname '\(host)' does not resolve; its instances get no traffic"
        } else {
            problems["dns \(host)"] = nil
            hostnamesChanged(changed)
        }
    }

    private func publish() {
        guard !stopped else { return }
        // Until every service list is in, a result only reports what fails (a bad token, Consul
        // down at start), marked incomplete: an Upstream missing then is not gone.
        let listsIn = datacenters.allSatisfy { catalogs[$0] != nil }
        guard listsIn || !problems.isEmpty else { return }
        let complete = listsIn && watches.keys.allSatisfy { entries[$0] != nil }
        emit(DiscoveryResult(
            upstreams: upstreams, endpoints: endpoints, interest: interest, complete: complete,
            problems: problems.keys.sorted().map { "\($0): \(problems[$0]!)" }, watches: watches.count + datacenters.count))
    }
}
