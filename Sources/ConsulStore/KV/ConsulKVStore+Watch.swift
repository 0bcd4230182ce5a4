import GlooAPI
import HashiHTTP
import Synchronization

extension ConsulKVStore {
    /// The first listing at once, then one after each change. A tree whose answer stays under
    /// `wholeWatchBelow` is one recursive blocking query on `prefix`; a larger one is split by
    /// `KVWatchPlan` into parts watched side by side, plus a `?keys` query that notices a key no
    /// part reads (the plan is then made again from a full read). Failures are retried with
    /// backoff (never a hot loop); an index that goes backwards (a snapshot restore, a new
    /// cluster) starts over with a full read.
    public func watchEntries(prefix: String) -> AsyncThrowingStream<KVListing, any Error> {
        let watch = KVTreeWatch(store: self, prefix: prefix)
        // Each listing is the whole tree: a consumer that falls behind gets the newest only.
        return AsyncThrowingStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                do {
                    var publisher = KVTreeWatch.Publisher { continuation.yield($0) }
                    try await watch.run(&publisher)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// One watch of a KV prefix (`ConsulKVStore.watchEntries`): full reads, then either the whole
/// prefix or the parts of a plan followed with blocking queries.
struct KVTreeWatch: Sendable {
    let store: ConsulKVStore
    let prefix: String

    /// Hands listings to the stream and remembers the last one.
    struct Publisher {
        let emit: (KVListing) -> Void
        var last: KVListing?

        init(_ emit: @escaping (KVListing) -> Void) { self.emit = emit }

        /// Emits `listing` unless it holds what the last one held (`changed`: known to differ).
        mutating func publish(_ listing: KVListing, changed: Bool = false) {
            if changed || last == nil || last?.generation != listing.generation || last?.entries != listing.entries { emit(listing) }
            last = listing
        }
    }

    /// Parts' new entries not merged yet: a status write-back that touches 40 parts at once is
    /// merged and published once, not 40 times.
    final class PendingParts: Sendable {
        private let parts = Mutex<[Int: (entries: [KVEntry], index: UInt64)]>([:])

        func put(_ part: Int, _ entries: [KVEntry], _ index: UInt64) { parts.withLock { $0[part] = (entries, index) } }

        func take() -> [Int: (entries: [KVEntry], index: UInt64)] { parts.withLock { parts in defer { parts = [:] }; return parts } }
    }

    /// Why following the tree stopped.
    enum Ending {
        /// The index went backwards: versions read before mean nothing now.
        case reset
        /// The plan no longer fits: make it again from this listing, or from a full read.
        case replan(KVListing?)
        case cancelled
    }

    /// What the queries of a plan report to the task that merges them.
    enum PartEvent: Sendable {
        /// Parts have new entries in `PendingParts`.
        case changed
        case reset
        case uncovered
        case failed(any Error)
    }

    func run(_ publisher: inout Publisher) async throws {
        var generation: UInt64 = 0
        var fresh: KVListing?
        while !Task.isCancelled {
            var listing: KVListing
            if let fresh {
                listing = fresh
            } else {
                listing = try await fullRead(knowing: publisher.last?.entries ?? [])
                listing.generation = generation
            }
            fresh = nil
            publisher.publish(listing)
            let plan = KVWatchPlan.make(prefix: prefix, entries: listing.entries, targetBytes: store.watchPartBytes,
                                        maximumParts: store.maximumWatchParts, wholeBelow: store.wholeWatchBelow)
            let ending = plan.isWhole
                ? try await followWhole(from: listing, &publisher)
                : try await followParts(plan, from: listing, &publisher)
            switch ending {
            case .reset:
                // A restore may reuse ModifyIndexes for other content: nothing read before is reused.
                generation += 1
                publisher.last = nil
            case .replan(let listing):
                fresh = listing
            case .cancelled:
                return
            }
        }
    }

    /// A non-blocking read of the whole prefix (retried like every query of the watch).
    private func fullRead(knowing known: [KVEntry]) async throws -> KVListing {
        var listing: KVListing?
        try await store.watchLoop.run { _ in
            let values = KnownValues(known)
            let (pairs, meta) = try await store.observe("kv-list") { try await store.kv.list(prefix: prefix, known: values.value) }
            return (ConsulKVStore.listing(pairs, meta), meta.index)
        } handle: { event in
            guard case .value(let read, _, _) = event else { return true }
            listing = read
            return false
        }
        guard let listing else { throw CancellationError() }
        return listing
    }

    /// One recursive blocking query on the prefix, until the tree grows past `wholeWatchBelow`.
    private func followWhole(from listing: KVListing, _ publisher: inout Publisher) async throws -> Ending {
        var current = listing
        var ending = Ending.cancelled
        try await store.watchLoop.run(from: listing.index) { next in
            let known = KnownValues(current.entries)
            let (pairs, meta) = try await store.observe("kv-watch") {
                try await store.kv.list(prefix: prefix, index: next, known: known.value)
            }
            return (ConsulKVStore.listing(pairs, meta), meta.index)
        } handle: { event in
            guard case .value(var read, _, let reset) = event else { return true }
            if reset {
                ending = .reset
                return false
            }
            read.generation = listing.generation
            current = read
            publisher.publish(current)
            if current.entries.reduce(0, { $0 + KVWatchPlan.answerBytes($1) }) > store.wholeWatchBelow {
                ending = .replan(current)
                return false
            }
            return true
        }
        return ending
    }

    /// The plan's parts, each its own blocking query, merged in key order after each change.
    private func followParts(_ plan: KVWatchPlan, from listing: KVListing, _ publisher: inout Publisher) async throws -> Ending {
        var partEntries = Array(repeating: [KVEntry](), count: plan.parts.count)
        for entry in listing.entries {
            guard let part = plan.part(for: entry.key) else { return .replan(nil) }
            partEntries[part].append(entry)
        }
        // Each part blocks from its own newest ModifyIndex (what Consul reports for it), so an
        // answer after the wait does not look like an index going backwards.
        var partIndexes = partEntries.map { $0.map(\.version).max() ?? listing.index }
        let (events, sink) = AsyncStream.makeStream(of: PartEvent.self)
        let pending = PendingParts()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for (position, part) in plan.parts.enumerated() {
                let entries = partEntries[position], start = partIndexes[position]
                group.addTask { await followPart(part, at: position, entries, from: start, pending, sink) }
            }
            group.addTask { await followKeys(plan, from: listing.index, sink) }
            defer { group.cancelAll() }
            for await event in events {
                switch event {
                case .changed:
                    let changed = pending.take()
                    if changed.isEmpty { continue }
                    for (part, update) in changed {
                        partEntries[part] = update.entries
                        partIndexes[part] = update.index
                    }
                    var merged = KVListing(entries: partEntries.flatMap { $0 }, index: partIndexes.max() ?? listing.index)
                    merged.generation = listing.generation
                    // The part reports only answers whose entries changed.
                    publisher.publish(merged, changed: true)
                case .reset:
                    return .reset
                case .uncovered:
                    return .replan(nil)
                case .failed(let error):
                    throw error
                }
            }
            return .cancelled
        }
    }

    /// Follows one part; reports each change of its entries.
    private func followPart(
        _ part: KVWatchPlan.Part, at position: Int, _ entries: [KVEntry], from start: UInt64, _ pending: PendingParts,
        _ sink: AsyncStream<PartEvent>.Continuation
    ) async {
        await follow(from: start, state: entries, sink, read: { next, known in try await read(part, index: next, known: known) }) {
            found, answerIndex, known in
            if found != known {
                known = found
                pending.put(position, found, answerIndex)
                sink.yield(.changed)
            }
            return true
        }
    }

    /// Repeats a blocking read from index `start` on the store's loop until the task ends: an
    /// index that goes backwards is reported, and each answer that may hold news goes to
    /// `changed` (with `state`, which it may update; false stops). A failure that outlasts the
    /// quick retries is reported.
    private func follow<State, Value: Sendable>(
        from start: UInt64, state: State, _ sink: AsyncStream<PartEvent>.Continuation,
        read: (UInt64?, State) async throws -> (Value, UInt64), changed: (Value, UInt64, inout State) throws -> Bool
    ) async {
        var state = state
        do {
            try await store.watchLoop.run(from: start) { next in
                try await read(next, state)
            } handle: { event in
                guard case .value(let value, let index, let reset) = event else { return true }
                if reset {
                    sink.yield(.reset)
                    return false
                }
                return try changed(value, index, &state)
            }
        } catch {
            if !Task.isCancelled { sink.yield(.failed(error)) }
        }
    }

    /// One blocking read of a part.
    private func read(_ part: KVWatchPlan.Part, index: UInt64?, known: [KVEntry]) async throws -> ([KVEntry], UInt64) {
        switch part {
        case .prefix(let prefix):
            let values = KnownValues(known)
            let (pairs, meta) = try await store.observe("kv-watch") {
                try await store.kv.list(prefix: prefix, index: index, known: values.value)
            }
            return (ConsulKVStore.listing(pairs, meta).entries, meta.index)
        case .key(let key):
            let (pair, meta) = try await store.observe("kv-watch") { try await store.kv.get(key, index: index) }
            return (pair.map { [KVEntry(key: $0.key, value: $0.value, version: $0.modifyIndex)] } ?? [], meta.index)
        }
    }

    /// Follows the keys under the prefix (not their values) and reports a key no part reads.
    private func followKeys(_ plan: KVWatchPlan, from start: UInt64, _ sink: AsyncStream<PartEvent>.Continuation) async {
        let prefix = prefix
        await follow(from: start, state: [UInt8]?.none, sink, read: { next, _ in
            let (body, meta) = try await store.observe("kv-keys") { try await store.kv.keys(prefix: prefix, index: next) }
            return (body, meta.index)
        }) { body, _, seen in
            // A value edit leaves the listing byte for byte the same.
            guard body != seen else { return true }
            seen = body
            guard try ConsulKV.parseKeys(body).allSatisfy({ $0.hasSuffix("/") || plan.covers($0) }) else {
                sink.yield(.uncovered)
                return false
            }
            return true
        }
    }
}

/// The values of the last listing, looked up in answer order: Consul lists keys sorted, so the
/// next key is almost always at the next position and no table is built for 15,000 keys.
final class KnownValues {
    private let entries: [KVEntry]
    private var cursor = 0
    private lazy var byKey: [String: Int] = Dictionary(entries.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })

    init(_ entries: [KVEntry]) { self.entries = entries }

    /// The value stored for `key` when it still has `version`.
    func value(of key: String, at version: UInt64) -> [UInt8]? {
        let position: Int
        if cursor < entries.count, entries[cursor].key == key {
            position = cursor
        } else if let found = byKey[key] {
            position = found
        } else {
            return nil
        }
        cursor = position + 1
        return entries[position].version == version ? entries[position].value : nil
    }
}
