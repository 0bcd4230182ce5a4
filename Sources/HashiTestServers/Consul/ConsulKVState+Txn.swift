import Foundation

/// `PUT /v1/txn` for KV operations: applied all or none at one Raft index.
extension ConsulKVState {
    struct TxnOperation: Sendable {
        var verb: String
        var key: String
        var value: [UInt8]
        var index: UInt64
        var session: String?
    }

    enum TxnOutcome: Sendable {
        /// The pairs the operations return (gets and writes), in order.
        case applied([Pair])
        /// Rolled back: the failing operations and why.
        case rolledBack([(index: Int, what: String)])
    }

    func transact(_ operations: [TxnOperation]) -> TxnOutcome {
        let saved = (pairs, tombstones, raftIndex)
        let index = raftIndex + 1
        var results: [Pair] = []
        var errors: [(index: Int, what: String)] = []
        // Whether a key was added or removed (the key order is then rebuilt).
        var keysChanged = false
        for (position, operation) in operations.enumerated() {
            let key = operation.key
            let current = pairs[key]
            func write() {
                if current == nil { keysChanged = true }
                let pair = Pair(key: key, value: operation.value, createIndex: current?.createIndex ?? index, modifyIndex: index,
                                flags: current?.flags ?? 0, lockIndex: current?.lockIndex ?? 0, session: current?.session)
                pairs[key] = pair
                tombstones[key] = nil
                // As Consul does: only a get returns the value; writes return the metadata.
                var result = pair
                result.value = []
                results.append(result)
            }
            func remove() {
                if current != nil { keysChanged = true }
                pairs[key] = nil
                tombstones[key] = index
            }
            switch operation.verb {
            case "set": write()
            case "cas":
                if (current?.modifyIndex ?? 0) == operation.index { write() } else {
                    errors.append((position, "failed to set key \"\(key)\", index is stale"))
                }
            case "get":
                if let current { results.append(current) } else { errors.append((position, "key \"\(key)\" doesn't exist")) }
            case "delete": remove()
            case "delete-cas":
                if current?.modifyIndex == operation.index { remove() } else {
                    errors.append((position, "failed to delete key \"\(key)\", index is stale"))
                }
            case "check-index":
                if current?.modifyIndex != operation.index {
                    errors.append((position, "current modify index \(current?.modifyIndex ?? 0) != \(operation.index)"))
                }
            case "check-not-exists":
                if current != nil { errors.append((position, "key \"\(key)\" exists")) }
            default:
                errors.append((position, "unknown KV verb \"\(operation.verb)\""))
            }
        }
        if !errors.isEmpty {
            (pairs, tombstones, raftIndex) = saved
            return .rolledBack(errors)
        }
        if operations.contains(where: { !["get", "check-index", "check-not-exists"].contains($0.verb) }) {
            if keysChanged { sortedKeys = nil }
            raftIndex = index
            changed()
        }
        return .applied(results)
    }
}
