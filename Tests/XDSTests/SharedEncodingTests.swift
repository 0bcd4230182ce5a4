import EnvoyAPI
import Testing

@testable import XDS

/// Work shared between streams must give each stream exactly what it would have computed
/// alone: whole-type SotW bodies encoded once, delta changes compared once.
@Suite struct SharedEncodingTests {
    @Test func sharedSotWBodiesDecodeToTheSameResources() throws {
        let snapshot = try Fixtures.snapshot(clusters: ["b", "a", "c"])
        var wildcard = SotWStreamStateMachine()
        var named = SotWStreamStateMachine()
        _ = wildcard.update(snapshot)
        _ = named.update(snapshot)
        let shared = try #require(wildcard.receive(Fixtures.sotwRequest(.cluster)).responses.first)
        let own = try #require(named.receive(Fixtures.sotwRequest(.cluster, names: ["a", "b"])).responses.first)
        #expect(shared.resources.isEmpty && !shared.unknownFields.data.isEmpty, "the whole type rides as shared bytes")
        let decoded = try Envoy_Service_Discovery_V3_DiscoveryResponse(serializedBytes: shared.serializedBytes() as [UInt8])
        #expect(decoded.resources.map(\.value) == ["a", "b", "c"].map { snapshot.resources(of: .cluster)[$0]!.payload })
        #expect(decoded.versionInfo == snapshot.versions[.cluster] && decoded.typeURL == TypeURL.cluster.rawValue)
        #expect(own.unknownFields.data.isEmpty && Fixtures.names(own) == ["a", "b"], "a partial subscription is encoded for itself")
    }

    @Test func deltaStreamsInStepFollowTheSharedChange() throws {
        // One stream follows every snapshot; a second starts late (full comparison); both must
        // end up knowing exactly the last snapshot.
        let steps = [["a", "b"], ["a", "b", "c"], ["b", "c"], ["b", "c", "d", "e"], ["e"]]
        var follower = DeltaStreamStateMachine()
        _ = follower.update(try Fixtures.snapshot(clusters: steps[0]))
        _ = follower.receive(Fixtures.deltaRequest(.cluster))
        var known: Set<String> = Set(steps[0])
        for (index, clusters) in steps.enumerated().dropFirst() {
            let snapshot = try Fixtures.snapshot(clusters: clusters, port: UInt32(9000 + index))
            for response in follower.update(snapshot) where response.typeURL == TypeURL.cluster.rawValue {
                known.formUnion(response.resources.map(\.name))
                known.subtract(response.removedResources)
            }
            #expect(known == Set(clusters), "step \(index)")
            var late = DeltaStreamStateMachine()
            _ = late.update(snapshot)
            let full = try #require(late.receive(Fixtures.deltaRequest(.cluster)).responses.first)
            #expect(Set(full.resources.map(\.name)) == known, "step \(index): the late stream sees the same")
        }
    }
}
