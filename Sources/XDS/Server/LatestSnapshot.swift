import Synchronization

/// The newest snapshot not yet handled by a stream: a slow stream skips straight to the latest
/// instead of queueing every publish.
final class LatestSnapshot: Sendable {
    private let state = Mutex<(snapshot: XDSSnapshot?, pending: Bool)>((nil, false))

    /// Stores `snapshot`; true when the stream must be woken (nothing was pending).
    func offer(_ snapshot: XDSSnapshot) -> Bool {
        state.withLock { state in
            let wake = !state.pending
            state.snapshot = snapshot
            state.pending = true
            return wake
        }
    }

    /// The pending snapshot, clearing it.
    func take() -> XDSSnapshot? {
        state.withLock { state in
            let snapshot = state.snapshot
            state.pending = false
            state.snapshot = nil
            return snapshot
        }
    }
}
