import GlooAPI

/// Which Consul services the configuration references (ARCHITECTURE.md: the interest set): those
/// of user-written `consul` Upstreams, of `consul` route destinations, and of discovered Upstreams
/// that routes, UpstreamGroups or TCP hosts point at. Only these get health watches.
enum DiscoveryInterestPlan {
    static func interest(_ resources: ResourceSet, discovered: [Upstream]) -> DiscoveryInterest {
        var plan = Builder(discovered: discovered, stored: Set(resources.upstreams.map(\.ref)))
        for upstream in resources.upstreams {
            if case .consul(let spec) = upstream.upstreamType { plan.add(spec.serviceName, spec.dataCenters) }
        }
        for service in resources.virtualServices {
            plan.add(routes: service.virtualHost?.routes ?? [], namespace: service.metadata.namespace)
        }
        for table in resources.routeTables { plan.add(routes: table.routes, namespace: table.metadata.namespace) }
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
        return DiscoveryInterest(services: plan.services)
    }

    private struct Builder {
        var services: [String: Set<String>] = [:]
        /// Discovered Upstreams by reference: their service and datacenters.
        let discovered: [ResourceRef: ConsulUpstream]
        let stored: Set<ResourceRef>

        init(discovered: [Upstream], stored: Set<ResourceRef>) {
            var specs: [ResourceRef: ConsulUpstream] = [:]
            for upstream in discovered {
                if case .consul(let spec) = upstream.upstreamType { specs[upstream.metadata.ref] = spec }
            }
            self.discovered = specs
            self.stored = stored
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
                if !stored.contains(ref), let spec = discovered[ref] { add(spec.serviceName, spec.dataCenters) }
            default: break
            }
        }
    }
}
