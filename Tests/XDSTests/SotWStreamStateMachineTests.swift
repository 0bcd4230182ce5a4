import Testing

@testable import XDS

@Suite struct SotWStreamStateMachineTests {
    @Test func waitsForASnapshotThenAnswersTheSubscription() throws {
        var machine = SotWStreamStateMachine()
        #expect(machine.receive(Fixtures.sotwRequest(.cluster)).responses.isEmpty, "no snapshot yet: wait")
        let snapshot = try Fixtures.snapshot(clusters: ["a", "b"])
        let responses = machine.update(snapshot)
        #expect(responses.count == 1)
        #expect(Fixtures.names(responses[0]) == ["a", "b"], "empty names on CDS mean wildcard")
        #expect(responses[0].nonce == "1")
    }

    @Test func ackNackAndStaleNonces() throws {
        var machine = SotWStreamStateMachine()
        _ = machine.update(try Fixtures.snapshot(clusters: ["a"]))
        let first = try #require(machine.receive(Fixtures.sotwRequest(.cluster)).responses.first)
        let ack = machine.receive(Fixtures.sotwRequest(.cluster, version: first.versionInfo, nonce: first.nonce))
        #expect(ack.events == [.ack(.cluster, version: first.versionInfo)])
        #expect(ack.responses.isEmpty, "an ACK with an unchanged subscription needs no answer")
        #expect(machine.ackedVersion(.cluster) == first.versionInfo)

        // A new version that Envoy rejects is recorded and not sent again for the same content.
        let second = try #require(machine.update(try Fixtures.snapshot(clusters: ["a", "b"])).first)
        let nack = machine.receive(Fixtures.sotwRequest(.cluster, version: first.versionInfo, nonce: second.nonce, error: "bad cluster"))
        #expect(nack.events == [.nack(.cluster, version: second.versionInfo, nonce: second.nonce, message: "bad cluster")])
        #expect(nack.responses.isEmpty)
        #expect(machine.update(try Fixtures.snapshot(clusters: ["a", "b"])).isEmpty, "NACKed content is not resent")
        #expect(machine.ackedVersion(.cluster) == first.versionInfo)

        let stale = machine.receive(Fixtures.sotwRequest(.cluster, version: first.versionInfo, nonce: first.nonce))
        #expect(stale.events == [.staleNonce(.cluster, nonce: first.nonce)])
        #expect(stale.responses.isEmpty)

        let fixed = machine.update(try Fixtures.snapshot(clusters: ["a", "c"]))
        // Envoy may have applied part of the NACKed CDS response, so b is removed make-before-break.
        #expect(fixed.map { Fixtures.names($0) } == [["a", "b", "c"], ["a", "c"]], "new content after a NACK is sent")
    }

    @Test func namedSubscriptionsAndUnsubscribing() throws {
        var machine = SotWStreamStateMachine()
        _ = machine.update(try Fixtures.snapshot(clusters: ["a", "b", "c"]))
        let first = try #require(machine.receive(Fixtures.sotwRequest(.endpoint, names: ["a", "b"])).responses.first)
        #expect(Fixtures.names(first) == ["a", "b"])
        let narrowed = machine.receive(Fixtures.sotwRequest(.endpoint, names: ["b"], version: first.versionInfo, nonce: first.nonce))
        #expect(narrowed.responses.isEmpty, "Envoy still holds b: dropping a name needs no answer")
        let widened = machine.receive(Fixtures.sotwRequest(.endpoint, names: ["b", "c"], version: first.versionInfo, nonce: first.nonce))
        #expect(widened.responses.map { Fixtures.names($0) } == [["c"]], "only the newly subscribed name is sent")
        // A change to an endpoint nobody subscribed to sends nothing.
        var resources = Array(try Fixtures.snapshot(clusters: ["a", "b", "c"]).resources.values.flatMap(\.values))
        resources.removeAll { $0.typeURL == .endpoint && $0.name == "a" }
        resources.append(try Fixtures.loadAssignment("a", port: 9999))
        #expect(machine.update(try XDSSnapshot(resources)).isEmpty)
        // Routes are named too: an empty list for RDS is not a wildcard.
        #expect(machine.receive(Fixtures.sotwRequest(.route)).responses.map { Fixtures.names($0) } == [[]])
    }

    @Test func pushOrderIsMakeBeforeBreakWithClusterRemovalsLast() throws {
        var machine = SotWStreamStateMachine()
        _ = machine.update(try Fixtures.snapshot(clusters: ["old"]))
        for type in [TypeURL.cluster, .listener] { _ = machine.receive(Fixtures.sotwRequest(type)) }
        _ = machine.receive(Fixtures.sotwRequest(.endpoint, names: ["old"]))
        _ = machine.receive(Fixtures.sotwRequest(.route, names: ["http-routes"]))
        _ = machine.receive(Fixtures.sotwRequest(.endpoint, names: ["old", "new"]))

        let responses = machine.update(try Fixtures.snapshot(clusters: ["new"]))
        #expect(responses.map(\.typeURL) == [TypeURL.cluster, .endpoint, .route, .cluster].map(\.rawValue))
        #expect(Fixtures.names(responses[0]) == ["new", "old"], "the removed cluster is kept until routes moved")
        #expect(Fixtures.names(responses[3]) == ["new"], "and removed last")
    }

    @Test func reconnectingEnvoyWithTheCurrentVersionGetsNothing() throws {
        let snapshot = try Fixtures.snapshot(clusters: ["a"])
        var first = SotWStreamStateMachine()
        _ = first.update(snapshot)
        let response = try #require(first.receive(Fixtures.sotwRequest(.cluster)).responses.first)
        var reconnected = SotWStreamStateMachine()
        _ = reconnected.update(snapshot)
        #expect(reconnected.receive(Fixtures.sotwRequest(.cluster, version: response.versionInfo)).responses.isEmpty)
        #expect(reconnected.update(snapshot).isEmpty)
    }

    @Test func namedTypesGetOnlyTheirChangedResourcesAndWholeTypesTheirState() throws {
        let routes = (0..<50).map { "route-\($0)" }
        func snapshot(changing changed: String? = nil, scopes: [String] = ["s1", "s2"]) throws -> XDSSnapshot {
            var resources = [try Fixtures.edsCluster("a"), try Fixtures.loadAssignment("a")]
            resources += try routes.map { try Fixtures.routeConfiguration($0, cluster: $0 == changed ? "b" : "a") }
            if changed != nil { resources += [try Fixtures.edsCluster("b"), try Fixtures.loadAssignment("b")] }
            resources += try scopes.map { try ScopedRouteSubscriptionTests.scope("http", $0, routes: routes[0]) }
            return try XDSSnapshot(resources)
        }
        var machine = SotWStreamStateMachine()
        _ = machine.update(try snapshot())
        let srds = try #require(machine.receive(Fixtures.sotwRequest(.scopedRoute, names: [ScopedRouteSubscriptionTests.root + "http/*"])).responses.first)
        #expect(Fixtures.names(srds).map { $0.split(separator: "/").last ?? "" } == ["s1", "s2"])
        let rds = try #require(machine.receive(Fixtures.sotwRequest(.route, names: routes)).responses.first)
        #expect(Fixtures.names(rds).count == 50, "a new subscription gets every subscribed resource")
        _ = machine.receive(Fixtures.sotwRequest(.cluster))

        let edit = machine.update(try snapshot(changing: "route-7"))
        let routeResponse = try #require(edit.first { $0.typeURL == TypeURL.route.rawValue })
        #expect(Fixtures.names(routeResponse) == ["route-7"], "RDS carries only the changed RouteConfiguration")
        let clusterResponse = try #require(edit.first { $0.typeURL == TypeURL.cluster.rawValue })
        #expect(Fixtures.names(clusterResponse) == ["a", "b"], "CDS is a state of the world")
        #expect(routeResponse.versionInfo == (try snapshot(changing: "route-7")).versions[.route], "the version is the whole subscribed set's")

        let rescoped = machine.update(try snapshot(changing: "route-7", scopes: ["s1"]))
        #expect(rescoped.map { Fixtures.names($0) } == [[ScopedRouteSubscriptionTests.root + "http/s1"]], "SRDS globs are a state of the world: s2 goes by omission")
    }
}
