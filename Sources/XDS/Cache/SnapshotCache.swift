/// The snapshots Envoys are served, one per node group (`<namespace>~<proxy>`, else the node id).
///
/// The cache decides *what* a group gets; the ADS server decides how it is streamed. Publishing
/// checks consistency first: an inconsistent snapshot is refused and the last good one stays.
public actor SnapshotCache {
    private var snapshots: [String: XDSSnapshot] = [:]
    private var watchers: [String: [Int: AsyncStream<XDSSnapshot>.Continuation]] = [:]
    private var nextWatcher = 0
    /// Per group, references found in resources already checked, by content version: a new
    /// snapshot decodes only the resources that changed.
    private var references: [String: SnapshotConsistency.ReferenceMemo] = [:]

    public init() {}

    /// Makes `snapshot` the one every Envoy of `group` converges to.
    public func publish(group: String, snapshot: XDSSnapshot) throws(SnapshotError) {
        let dangling = try SnapshotConsistency.danglingReferences(in: snapshot, memo: &references[group, default: .init()])
        guard dangling.isEmpty else { throw SnapshotError.dangling(dangling) }
        // Versions are content hashes: equal versions, equal resources.
        if snapshots[group]?.versions == snapshot.versions { return }
        snapshots[group] = snapshot
        for continuation in watchers[group, default: [:]].values { continuation.yield(snapshot) }
    }

    /// Forgets a group's snapshot (its Envoys keep what they have and wait for the next one).
    public func clear(group: String) {
        snapshots[group] = nil
        references[group] = nil
    }

    /// The current snapshot of `group`, if one was published.
    public func snapshot(group: String) -> XDSSnapshot? { snapshots[group] }

    /// The groups with a snapshot.
    public var groups: [String] { snapshots.keys.sorted() }

    /// The current snapshot (if any), then every new one; a slow reader only sees the latest.
    public func updates(group: String) -> AsyncStream<XDSSnapshot> {
        let (stream, continuation) = AsyncStream<XDSSnapshot>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = nextWatcher
        nextWatcher += 1
        watchers[group, default: [:]][id] = continuation
        if let snapshot = snapshots[group] { continuation.yield(snapshot) }
        continuation.onTermination = { _ in Task { await self.removeWatcher(group: group, id: id) } }
        return stream
    }

    private func removeWatcher(group: String, id: Int) {
        watchers[group]?[id] = nil
    }
}
