import GlooAPI

/// Which Consul and Nomad services the configuration references (ARCHITECTURE.md: the interest
/// set): those of user-written `consul` and `nomad` Upstreams, of `consul` route destinations, and
/// of discovered Upstreams that routes, UpstreamGroups or TCP hosts point at. Only these get
/// instance watches, read as the user-written Upstreams of each service ask.
enum DiscoveryInterestPlan {
    /// What the last computation saw and counted, kept between computations: an edit of a few
    /// VirtualServices or RouteTables re-walks only their routes and updates only the services
    /// their destinations add or drop.
    final class Memo {
        struct Destinations: Equatable {
            var version: String
            var consul: [ConsulService] = []
            var upstreams: Set<ResourceRef> = []
        }

        struct ConsulService: Equatable {
            var service: String
            var datacenters: [String]
        }

        fileprivate var entries: [String: Destinations] = [:]
        fileprivate var last: (resources: ResourceSet, discovered: [Upstream], counts: Counts, interest: DiscoveryInterest)?

        init() {}
    }

    static func interest(_ resources: ResourceSet, discovered: [Upstream], memo: Memo? = nil) -> DiscoveryInterest {
        if let memo, let interest = patched(resources, discovered: discovered, memo: memo) { return interest }
        var counts = Counts(discovered: discovered, stored: Set(resources.upstreams.map(\.ref)))
        var reads: [String: ConsulReadRequest] = [:]
        for upstream in resources.upstreams {
            switch upstream.upstreamType {
            case .consul(let spec):
                counts.add(spec.serviceName, spec.dataCenters)
                if let read = ConsulReadRequest(spec), !spec.serviceName.isEmpty { reads[spec.serviceName, default: read].add(read) }
            case .nomad(let spec): counts.add(nomad: spec)
            default: break
            }
        }
        if let memo {
            counts.add(memoized: resources, memo: memo)
        } else {
            for service in resources.virtualServices {
                counts.add(Builder.destinations(of: service.virtualHost?.routes ?? [], version: "", namespace: service.metadata.namespace))
            }
            for table in resources.routeTables {
                counts.add(Builder.destinations(of: table.routes, version: "", namespace: table.metadata.namespace))
            }
        }
        for group in resources.upstreamGroups {
            for weighted in group.destinations { counts.add(weighted.destination, namespace: group.metadata.namespace) }
        }
        for gateway in resources.gateways {
            for host in gateway.tcpGateways.flatMap(\.tcpHosts) {
                switch host.destination?.target {
                case .single(let destination): counts.add(destination, namespace: gateway.metadata.namespace)
                case .multi(let multi):
                    for weighted in multi.destinations { counts.add(weighted.destination, namespace: gateway.metadata.namespace) }
                default: break
                }
            }
        }
        var interest = counts.interest
        interest.consulReads = reads
        memo?.last = (resources, discovered, counts, interest)
        return interest
    }

    /// The last answer updated for the VirtualServices and RouteTables whose version changed,
    /// when nothing else did (the same Upstreams, discovered Upstreams, UpstreamGroups and
    /// Gateways; the same resources at the same positions); nil otherwise.
    private static func patched(_ resources: ResourceSet, discovered: [Upstream], memo: Memo) -> DiscoveryInterest? {
        guard let last = memo.last, resources.upstreams == last.resources.upstreams, discovered == last.discovered,
              resources.upstreamGroups == last.resources.upstreamGroups, resources.gateways == last.resources.gateways,
              let services = changedDestinations(resources.virtualServices, last.resources.virtualServices, kind: "vs", memo: memo,
                                                 routes: { $0.virtualHost?.routes ?? [] }),
              let tables = changedDestinations(resources.routeTables, last.resources.routeTables, kind: "rt", memo: memo,
                                               routes: { $0.routes })
        else { return nil }
        // Taken out of the memo so the tables are changed in place, not copied.
        memo.last = nil
        var counts = last.counts
        var interest = last.interest
        var touched = Counts.Touched()
        for (key, destinations) in services + tables {
            if let old = memo.entries[key], old != destinations {
                counts.add(old, by: -1, touched: &touched)
                counts.add(destinations, by: 1, touched: &touched)
            }
            memo.entries[key] = destinations
        }
        counts.update(&interest, touched)
        memo.last = (resources, discovered, counts, interest)
        return interest
    }

    /// The new destinations of each resource whose version differs from the one at its position
    /// before, by memo key; nil when the list was reordered, grew, shrank, or a resource is unknown.
    private static func changedDestinations<R: Resource>(
        _ current: [R], _ previous: [R], kind: String, memo: Memo, routes: (R) -> [Route]
    ) -> [(String, Memo.Destinations)]? {
        guard current.count == previous.count else { return nil }
        var walked: [(String, Memo.Destinations)] = []
        for index in current.indices {
            let now = current[index].metadata, before = previous[index].metadata
            guard now.name == before.name, now.namespace == before.namespace else { return nil }
            if now.resourceVersion == before.resourceVersion { continue }
            let key = "\(kind)/\(now.namespace)/\(now.name)"
            guard !now.resourceVersion.isEmpty, memo.entries[key] != nil else { return nil }
            walked.append((key, Builder.destinations(of: routes(current[index]), version: now.resourceVersion, namespace: now.namespace)))
        }
        return walked
    }

    /// Contributions counted per service, so one can be taken back: a service stays in the
    /// interest while anything still points at it.
    struct Counts {
        struct Consul {
            /// Contributions that ask for every datacenter (which wins over any list).
            var all = 0
            var datacenters: [String: Int] = [:]
        }

        /// The services whose counts changed.
        struct Touched {
            var consul: Set<String> = []
            var nomad: Set<String> = []
        }

        var consul: [String: Consul] = [:]
        var nomad: [String: [String: Int]] = [:]
        /// Discovered Upstreams by reference: what they draw on.
        let discovered: [ResourceRef: UpstreamType]
        let stored: Set<ResourceRef>

        init(discovered: [Upstream], stored: Set<ResourceRef>) {
            var specs: [ResourceRef: UpstreamType] = [:]
            for upstream in discovered {
                if let type = upstream.upstreamType { specs[upstream.metadata.ref] = type }
            }
            self.discovered = specs
            self.stored = stored
        }

        var interest: DiscoveryInterest {
            DiscoveryInterest(services: consul.mapValues(Self.datacenters), nomadServices: nomad.mapValues { Set($0.keys) })
        }

        /// The datacenters asked for: none (all of them) when any contribution asks for all.
        static func datacenters(_ count: Consul) -> Set<String> {
            count.all > 0 ? [] : Set(count.datacenters.keys)
        }

        /// Writes the touched services' current state into `interest`.
        func update(_ interest: inout DiscoveryInterest, _ touched: Touched) {
            for service in touched.consul { interest.services[service] = consul[service].map(Self.datacenters) }
            for service in touched.nomad { interest.nomadServices[service] = nomad[service].map { Set($0.keys) } }
        }

        mutating func add(_ service: String, _ datacenters: [String], by delta: Int = 1) {
            var ignored = Touched()
            add(service, datacenters, by: delta, touched: &ignored)
        }

        mutating func add(_ service: String, _ datacenters: [String], by delta: Int, touched: inout Touched) {
            guard !service.isEmpty else { return }
            var count = consul[service] ?? Consul()
            if datacenters.isEmpty {
                count.all += delta
            } else {
                for datacenter in Set(datacenters) {
                    let remaining = count.datacenters[datacenter, default: 0] + delta
                    count.datacenters[datacenter] = remaining > 0 ? remaining : nil
                }
            }
            consul[service] = count.all > 0 || !count.datacenters.isEmpty ? count : nil
            touched.consul.insert(service)
        }

        mutating func add(nomad spec: NomadUpstream, by delta: Int = 1) {
            var ignored = Touched()
            add(nomad: spec, by: delta, touched: &ignored)
        }

        mutating func add(nomad spec: NomadUpstream, by delta: Int, touched: inout Touched) {
            guard !spec.serviceName.isEmpty else { return }
            var namespaces = nomad[spec.serviceName] ?? [:]
            let remaining = namespaces[spec.namespace, default: 0] + delta
            namespaces[spec.namespace] = remaining > 0 ? remaining : nil
            nomad[spec.serviceName] = namespaces.isEmpty ? nil : namespaces
            touched.nomad.insert(spec.serviceName)
        }

        /// One resource's destinations, counted `delta` times.
        mutating func add(_ destinations: Memo.Destinations, by delta: Int = 1) {
            var ignored = Touched()
            add(destinations, by: delta, touched: &ignored)
        }

        mutating func add(_ destinations: Memo.Destinations, by delta: Int, touched: inout Touched) {
            for consul in destinations.consul { add(consul.service, consul.datacenters, by: delta, touched: &touched) }
            for ref in destinations.upstreams where !stored.contains(ref) {
                switch discovered[ref] {
                case .consul(let spec): add(spec.serviceName, spec.dataCenters, by: delta, touched: &touched)
                case .nomad(let spec): add(nomad: spec, by: delta, touched: &touched)
                default: break
                }
            }
        }

        /// A destination of an UpstreamGroup or TCP host.
        mutating func add(_ destination: Destination?, namespace: String) {
            var found = Memo.Destinations(version: "")
            Builder.collect(destination, namespace: namespace, into: &found)
            add(found)
        }

        /// The routes of VirtualServices and RouteTables through `memo` (only changed ones walked).
        mutating func add(memoized resources: ResourceSet, memo: Memo) {
            var seen: [String: Memo.Destinations] = [:]
            seen.reserveCapacity(resources.virtualServices.count + resources.routeTables.count)
            func destinations(_ key: String, version: String, routes: @autoclosure () -> [Route], namespace: String) -> Memo.Destinations {
                if let known = memo.entries[key], known.version == version, !version.isEmpty { return known }
                return Builder.destinations(of: routes(), version: version, namespace: namespace)
            }
            for service in resources.virtualServices {
                let key = "vs/\(service.metadata.namespace)/\(service.metadata.name)"
                seen[key] = destinations(key, version: service.metadata.resourceVersion, routes: service.virtualHost?.routes ?? [],
                                         namespace: service.metadata.namespace)
            }
            for table in resources.routeTables {
                let key = "rt/\(table.metadata.namespace)/\(table.metadata.name)"
                seen[key] = destinations(key, version: table.metadata.resourceVersion, routes: table.routes, namespace: table.metadata.namespace)
            }
            memo.entries = seen
            for entry in seen.values { add(entry) }
        }
    }

    /// Walks routes for what they point at.
    enum Builder {
        static func destinations(of routes: [Route], version: String, namespace: String) -> Memo.Destinations {
            var found = Memo.Destinations(version: version)
            for route in routes {
                guard case .routeAction(let action) = route.action else { continue }
                switch action.destination {
                case .single(let destination): collect(destination, namespace: namespace, into: &found)
                case .multi(let multi):
                    for weighted in multi.destinations { collect(weighted.destination, namespace: namespace, into: &found) }
                default: break
                }
            }
            return found
        }

        static func collect(_ destination: Destination?, namespace: String, into found: inout Memo.Destinations) {
            switch destination?.target {
            case .consul(let consul): found.consul.append(Memo.ConsulService(service: consul.serviceName, datacenters: consul.dataCenters))
            case .upstream(let ref): found.upstreams.insert(ref.defaultingNamespace(to: namespace))
            default: break
            }
        }
    }
}
