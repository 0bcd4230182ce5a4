import GlooAPI

/// Which Consul and Nomad services the configuration references (ARCHITECTURE.md: the interest
/// set): those of user-written `consul` and `nomad` Upstreams, of `consul` route destinations, and
/// of discovered Upstreams that routes, UpstreamGroups or TCP hosts point at. Only these get
/// instance watches.
enum DiscoveryInterestPlan {
    /// What one VirtualService's or RouteTable's routes point at, kept between computations by
    /// the resource's version so an edit re-walks one resource's routes, not every route.
    final class Memo {
        struct Destinations {
            var version: String
            var consul: [(service: String, datacenters: [String])] = []
            var upstreams: Set<ResourceRef> = []
        }

        fileprivate var entries: [String: Destinations] = [:]

        init() {}
    }

    static func interest(_ resources: ResourceSet, discovered: [Upstream], memo: Memo? = nil) -> DiscoveryInterest {
        var plan = Builder(discovered: discovered, stored: Set(resources.upstreams.map(\.ref)))
        for upstream in resources.upstreams {
            switch upstream.upstreamType {
            case .consul(let spec): plan.add(spec.serviceName, spec.dataCenters)
            case .nomad(let spec): plan.add(nomad: spec)
            default: break
            }
        }
        if let memo {
            plan.add(memoized: resources, memo: memo)
        } else {
            for service in resources.virtualServices {
                plan.add(routes: service.virtualHost?.routes ?? [], namespace: service.metadata.namespace)
            }
            for table in resources.routeTables { plan.add(routes: table.routes, namespace: table.metadata.namespace) }
        }
        for group in resources.upstreamGroups {
            for weighted in group.destinations { plan.add(weighted.destination, namespace: group.metadata.namespace) }
        }
        for gateway in resources.gateways {
            guard case .tcpGateway(let tcp)? = gateway.gatewayType else { continue }
            for host in tcp.tcpHosts {
                switch host.destination?.target {
                case .single(let destination): plan.add(destination, namespace: gateway.metadata.namespace)
                case .multi(let multi):
                    for weighted in multi.destinations { plan.add(weighted.destination, namespace: gateway.metadata.namespace) }
                default: break
                }
            }
        }
        return DiscoveryInterest(services: plan.services, nomadServices: plan.nomadServices)
    }

    private struct Builder {
        var services: [String: Set<String>] = [:]
        var nomadServices: [String: Set<String>] = [:]
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

        /// The routes of VirtualServices and RouteTables through `memo` (only changed ones walked).
        mutating func add(memoized resources: ResourceSet, memo: Memo) {
            var seen: [String: Memo.Destinations] = [:]
            seen.reserveCapacity(resources.virtualServices.count + resources.routeTables.count)
            func destinations(_ key: String, version: String, routes: @autoclosure () -> [Route], namespace: String) -> Memo.Destinations {
                if let known = memo.entries[key], known.version == version, !version.isEmpty { return known }
                var found = Memo.Destinations(version: version)
                for route in routes() {
                    guard case .routeAction(let action) = route.action else { continue }
                    switch action.destination {
                    case .single(let destination): Self.collect(destination, namespace: namespace, into: &found)
                    case .multi(let multi):
                        for weighted in multi.destinations { Self.collect(weighted.destination, namespace: namespace, into: &found) }
                    default: break
                    }
                }
                return found
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
            for entry in seen.values {
                for (service, datacenters) in entry.consul { add(service, datacenters) }
                for ref in entry.upstreams where !stored.contains(ref) {
                    switch discovered[ref] {
                    case .consul(let spec): add(spec.serviceName, spec.dataCenters)
                    case .nomad(let spec): add(nomad: spec)
                    default: break
                    }
                }
            }
        }

        private static func collect(_ destination: Destination?, namespace: String, into found: inout Memo.Destinations) {
            switch destination?.target {
            case .consul(let consul): found.consul.append((consul.serviceName, consul.dataCenters))
            case .upstream(let ref): found.upstreams.insert(ref.defaultingNamespace(to: namespace))
            default: break
            }
        }

        mutating func add(nomad spec: NomadUpstream) {
            guard !spec.serviceName.isEmpty else { return }
            nomadServices[spec.serviceName, default: []].insert(spec.namespace)
        }

        /// Adds a service; no datacenters means all of them, which wins over any list.
        mutating func add(_ service: String, _ datacenters: [String]) {
            guard !service.isEmpty else { return }
            if let known = services[service] {
                services[service] = known.isEmpty || datacenters.isEmpty ? [] : known.union(datacenters)
            } else {
                services[service] = Set(datacenters)
            }
        }

        mutating func add(routes: [Route], namespace: String) {
            for route in routes {
                guard case .routeAction(let action) = route.action else { continue }
                switch action.destination {
                case .single(let destination): add(destination, namespace: namespace)
                case .multi(let multi):
                    for weighted in multi.destinations { add(weighted.destination, namespace: namespace) }
                default: break
                }
            }
        }

        mutating func add(_ destination: Destination?, namespace: String) {
            switch destination?.target {
            case .consul(let consul): add(consul.serviceName, consul.dataCenters)
            case .upstream(let ref):
                let ref = ref.defaultingNamespace(to: namespace)
                guard !stored.contains(ref) else { return }
                switch discovered[ref] {
                case .consul(let spec): add(spec.serviceName, spec.dataCenters)
                case .nomad(let spec): add(nomad: spec)
                default: break
                }
            default: break
            }
        }
    }
}
