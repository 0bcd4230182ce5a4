import Testing

@testable import XDS

@Suite struct DeltaStreamStateMachineTests {
    @Test func sendsOnlyChangedResourcesAndRemovals() throws {
        var machine = DeltaStreamStateMachine()
        _ = machine.update(try Fixtures.snapshot(clusters: ["a", "b"]))
        let initial = try #require(machine.receive(Fixtures.deltaRequest(.cluster)).responses.first)
        #expect(initial.resources.map(\.name) == ["a", "b"])
        let ack = machine.receive(Fixtures.deltaRequest(.cluster, nonce: initial.nonce))
        #expect(ack.events.count == 1)

        let added = machine.update(try Fixtures.snapshot(clusters: ["a", "b", "c"]))
        #expect(added.count == 1)
        #expect(added.first?.resources.map(\.name) == ["c"], "only the new cluster")

        let removed = machine.update(try Fixtures.snapshot(clusters: ["a", "c"]))
        #expect(removed.count == 1)
        #expect(removed.first?.resources.isEmpty == true)
        #expect(removed.first?.removedResources == ["b"])
    }

    @Test func initialResourceVersionsAreHonouredOnReconnect() throws {
        let snapshot = try Fixtures.snapshot(clusters: ["a", "b"])
        let versions = snapshot.resources(of: .cluster).mapValues(\.version)
        var machine = DeltaStreamStateMachine()
        _ = machine.update(snapshot)
        var initial = versions
        initial["a"] = "stale"
        initial["gone"] = "v1"
        let response = try #require(machine.receive(Fixtures.deltaRequest(.cluster, subscribe: ["*"], initial: initial)).responses.first)
        #expect(response.resources.map(\.name) == ["a"], "b is already current")
        #expect(response.removedResources == ["gone"])
    }

    @Test func namedSubscribeAndUnsubscribe() throws {
        var machine = DeltaStreamStateMachine()
        _ = machine.update(try Fixtures.snapshot(clusters: ["a", "b"]))
        let first = try #require(machine.receive(Fixtures.deltaRequest(.endpoint, subscribe: ["a"])).responses.first)
        #expect(first.resources.map(\.name) == ["a"])
        let more = try #require(machine.receive(Fixtures.deltaRequest(.endpoint, subscribe: ["b"], nonce: first.nonce)).responses.first)
        #expect(more.resources.map(\.name) == ["b"])
        _ = machine.receive(Fixtures.deltaRequest(.endpoint, unsubscribe: ["a"], nonce: more.nonce))
        let changed = machine.update(try Fixtures.snapshot(clusters: ["a", "b"], port: 9000))
        #expect(changed.map { $0.resources.map(\.name) } == [["b"]], "a is no longer subscribed")
    }

    @Test func clusterRemovalsComeAfterEverythingElse() throws {
        var machine = DeltaStreamStateMachine()
        _ = machine.update(try Fixtures.snapshot(clusters: ["old"]))
        _ = machine.receive(Fixtures.deltaRequest(.cluster))
        _ = machine.receive(Fixtures.deltaRequest(.endpoint, subscribe: ["old", "new"]))
        _ = machine.receive(Fixtures.deltaRequest(.route, subscribe: ["http-routes"]))
        let responses = machine.update(try Fixtures.snapshot(clusters: ["new"]))
        #expect(responses.map(\.typeURL) == [TypeURL.cluster, .endpoint, .route, .cluster].map(\.rawValue))
        #expect(responses[0].resources.map(\.name) == ["new"])
        #expect(responses[0].removedResources.isEmpty)
        #expect(responses[3].removedResources == ["old"])
    }

    @Test func nackIsRecorded() throws {
        var machine = DeltaStreamStateMachine()
        _ = machine.update(try Fixtures.snapshot(clusters: ["a"]))
        let first = try #require(machine.receive(Fixtures.deltaRequest(.cluster)).responses.first)
        let nack = machine.receive(Fixtures.deltaRequest(.cluster, nonce: first.nonce, error: "nope"))
        guard case .nack(.cluster, _, first.nonce, "nope")? = nack.events.first else {
            Issue.record("expected a NACK event, got \(nack.events)"); return
        }
        #expect(nack.responses.isEmpty)
        #expect(machine.update(try Fixtures.snapshot(clusters: ["a"])).isEmpty, "unchanged content is not resent")
    }
}
