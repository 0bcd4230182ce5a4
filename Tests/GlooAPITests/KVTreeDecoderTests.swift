import Testing

@testable import GlooAPI

/// Decoding a watch's listings one after another gives what decoding each afresh gives, whether
/// the decoder takes its fast path (same keys, a few valid values changed) or not.
@Suite struct KVTreeDecoderTests {
    static func upstream(_ name: String, port: Int, version: UInt64) -> KVEntry {
        KVEntry(key: "gloo/gloo.solo.io/v1/Upstream/gloo-system/\(name)",
                value: Array("static: {hosts: [{addr: 10.0.0.1, port: \(port)}]}".utf8), version: version)
    }

    /// Decoded by a new decoder; the revision counts changes seen by one decoder, so it is left out.
    static func fresh(_ listing: KVListing) -> ResourceListing {
        var decoder = KVTreeDecoder()
        return withoutRevision(decoder.decode(listing))
    }

    static func withoutRevision(_ listing: ResourceListing) -> ResourceListing {
        var copy = listing
        copy.contentRevision = nil
        return copy
    }

    @Test func successiveListingsDecodeAsIfFresh() {
        var decoder = KVTreeDecoder()
        var entries = (0..<5).map { Self.upstream("u\($0)", port: 80, version: 1) }
        var listings = [KVListing(entries: entries, index: 1)]
        // One value changed (the fast path).
        entries[2] = Self.upstream("u2", port: 8080, version: 2)
        listings.append(KVListing(entries: entries, index: 2))
        // A value that now has an unknown field: a warning, so the full path.
        entries[3] = KVEntry(key: entries[3].key, value: Array("static: {hosts: [{addr: 10.0.0.1, port: 81}]}\nbogus: 1".utf8), version: 3)
        listings.append(KVListing(entries: entries, index: 3))
        // The warning fixed, then a key removed, then a value rejected.
        entries[3] = Self.upstream("u3", port: 82, version: 4)
        listings.append(KVListing(entries: entries, index: 4))
        entries.remove(at: 0)
        listings.append(KVListing(entries: entries, index: 5))
        entries[0] = KVEntry(key: entries[0].key, value: Array("static: [".utf8), version: 6)
        listings.append(KVListing(entries: entries, index: 6))
        for listing in listings {
            let decoded = Self.withoutRevision(decoder.decode(listing))
            #expect(decoded == Self.fresh(listing), "listing \(listing.index)")
        }
        let last = decoder.decode(KVListing(entries: entries, index: 7))
        #expect(last.resources.upstreams.map(\.metadata.name) == ["u2", "u3", "u4"])
        #expect(last.findings.map(\.key) == [entries[0].key])
    }

    @Test func theFastPathReplacesTheChangedResourceInPlace() throws {
        var decoder = KVTreeDecoder()
        var entries = (0..<3).map { Self.upstream("u\($0)", port: 80, version: 1) }
        let before = decoder.decode(KVListing(entries: entries, index: 1))
        entries[1] = Self.upstream("u1", port: 9090, version: 2)
        let after = decoder.decode(KVListing(entries: entries, index: 2))
        #expect(after.resources.upstreams.map(\.metadata.name) == ["u0", "u1", "u2"])
        #expect(after.resources.upstreams[1] != before.resources.upstreams[1])
        #expect(after.resources.upstreams[1].metadata.resourceVersion == "2")
        #expect(after.resources.upstreams[0] == before.resources.upstreams[0])
        #expect(after.index == 2)
    }

    @Test func aNewGenerationForgetsWhatWasDecodedByVersion() {
        var decoder = KVTreeDecoder()
        _ = decoder.decode(KVListing(entries: [Self.upstream("u", port: 80, version: 5)], index: 5))
        // A restore reused ModifyIndex 5 for other content: only a new generation tells.
        let restored = KVListing(entries: [Self.upstream("u", port: 9999, version: 5)], index: 5, generation: 1)
        let decoded = Self.withoutRevision(decoder.decode(restored))
        #expect(decoded == Self.fresh(restored))
        guard case .static(let hosts) = decoded.resources.upstreams.first?.upstreamType else {
            Issue.record("expected a static upstream"); return
        }
        #expect(hosts.hosts.first?.port == 9999)
        #expect(decoded.generation == 1)
    }

    @Test func theRevisionMovesOnConfigurationChangesOnly() {
        var decoder = KVTreeDecoder()
        let key = "gloo/gloo.solo.io/v1/Upstream/gloo-system/u"
        let spec = "static: {hosts: [{addr: 10.0.0.1, port: 80}]}\n"
        let status = "namespacedStatuses: {statuses: {gloo-system: {state: Accepted, reportedBy: gloo}}}\n"
        let broken = "gloo/gloo.solo.io/v1/Upstream/gloo-system/broken"
        func listing(_ value: String, _ version: UInt64, broken brokenValue: String = "bogus: 1\n", _ brokenVersion: UInt64 = 1) -> KVListing {
            KVListing(entries: [KVEntry(key: broken, value: Array(brokenValue.utf8), version: brokenVersion),
                                KVEntry(key: key, value: Array(value.utf8), version: version),
                                KVEntry(key: "gloo/.control/leader", value: Array("me".utf8), version: version)], index: version)
        }
        let first = decoder.decode(listing(spec, 2))
        #expect(Set(first.findings.map(\.key)) == [broken], "the control key is not a resource")
        #expect(first.rejectedVersions == [broken: 1])
        // A status written back (fast path): same revision.
        let statusOnly = decoder.decode(listing(spec + status, 3))
        #expect(statusOnly.contentRevision == first.contentRevision)
        #expect(statusOnly.resources.upstreams.first?.metadata.resourceVersion == "3")
        // A status on the rejected value (full path): same revision, its new version.
        let rejectedStatus = decoder.decode(listing(spec + status, 3, broken: "bogus: 1\n" + status, 4))
        #expect(rejectedStatus.contentRevision == first.contentRevision)
        #expect(rejectedStatus.rejectedVersions == [broken: 4])
        // A real edit: a new revision.
        let edited = decoder.decode(listing("static: {hosts: [{addr: 10.0.0.2, port: 80}]}\n" + status, 5, broken: "bogus: 1\n" + status, 4))
        #expect(edited.contentRevision != first.contentRevision)
    }
}
