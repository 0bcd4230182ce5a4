import Dispatch
import Foundation

/// Maps `0..<count` on every core: translation's per-Upstream and per-VirtualService work is
/// pure and independent, so a full translation uses both cores of a small machine. Blocks
/// until done (the work is CPU-bound); results are in index order.
enum ParallelMap {
    /// Below this many items the work runs on the calling thread.
    static let minimumParallelCount = 64

    static func map<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard count >= minimumParallelCount, cores > 1 else { return (0..<count).map(transform) }
        let results = Results<T>(count)
        // A few chunks per core evens out chunks of uneven cost.
        let chunks = min(count, cores * 4)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
            for index in range { results.store(transform(index), at: index) }
        }
        return results.collect()
    }

    /// One slot per index, each written by exactly one chunk.
    private final class Results<T>: @unchecked Sendable {
        private let slots: UnsafeMutablePointer<T?>
        private let count: Int

        init(_ count: Int) {
            self.count = count
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil, count: count)
        }

        func store(_ value: T, at index: Int) { slots[index] = value }

        func collect() -> [T] { (0..<count).map { slots[$0]! } }

        deinit {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
    }
}
