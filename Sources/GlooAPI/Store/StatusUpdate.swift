/// What a status was computed from: the stored version that was translated and, when the value
/// decoded, its resource. A write-back on a newer version goes ahead only if that version holds
/// the same configuration (someone else wrote a status); a user's edit always wins.
public struct StatusBasis: Hashable, Sendable {
    public var version: UInt64
    public var resource: AnyResource?

    public init(version: UInt64, resource: AnyResource?) {
        self.version = version
        self.resource = resource
    }
}

/// The outcome of one status write-back.
public enum StatusUpdate: Hashable, Sendable {
    /// Written; the value's new version.
    case written(version: UInt64)
    /// The stored status was already this one; nothing was written.
    case unchanged(version: UInt64)
    /// The configuration changed since it was translated; nothing was written (the next
    /// translation reports on the new one).
    case superseded
}

/// One status to write back: where, what, and what it was computed from (nil: whatever is stored).
public struct StatusChange: Hashable, Sendable {
    public var key: ResourceKey
    public var status: Status
    public var basis: StatusBasis?

    public init(key: ResourceKey, status: Status, basis: StatusBasis?) {
        self.key = key
        self.status = status
        self.basis = basis
    }
}

extension ResourceStore {
    /// One write-back after another; stores with transactions batch them instead.
    public func updateStatuses(_ changes: [StatusChange], reporterNamespace: String) async -> [Result<StatusUpdate, any Error>] {
        var results: [Result<StatusUpdate, any Error>] = []
        for change in changes {
            do {
                results.append(.success(try await updateStatus(change.key, reporterNamespace: reporterNamespace, status: change.status,
                                                               basis: change.basis)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}
