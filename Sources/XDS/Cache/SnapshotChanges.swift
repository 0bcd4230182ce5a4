import Synchronization

/// What changed in one type between a previous snapshot and this one, computed once and shared
/// by every delta stream that was in step with the previous snapshot: a one-cluster change at
/// 10,000 clusters is one comparison, not one per Envoy.
final class SnapshotChanges: Sendable {
    struct Change: Sendable {
        /// New or changed resources.
        var changed: [XDSResource]
        /// Names gone since the previous snapshot.
        var removed: [String]
    }

    private let changes = Mutex<[String: Change]>([:])

    /// The change of `type` from `previous` to `current` (the snapshot owning this memo).
    func change(_ type: TypeURL, from previous: XDSSnapshot, to current: XDSSnapshot) -> Change {
        let key = "\(type.rawValue) \(previous.versions[type] ?? "")"
        return changes.withLock { changes in
            if let change = changes[key] { return change }
            let before = previous.resources(of: type)
            let after = current.resources(of: type)
            let changed = after.values.filter { before[$0.name]?.version != $0.version }.sorted { $0.name < $1.name }
            let removed = before.keys.filter { after[$0] == nil }.sorted()
            let change = Change(changed: changed, removed: removed)
            changes[key] = change
            return change
        }
    }
}
