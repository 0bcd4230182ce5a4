import HashiHTTP
import ConsulStore
import Synchronization
import Testing

/// The loop that repeats a blocking query: which index each request carries, which answers are
/// handed on, and how failures are paced.
@Suite struct BlockingQueryLoopTests {
    struct Broken: Error {}

    /// Feeds scripted answers (`nil`: a failure) and records the index each request carried.
    final class Script: Sendable {
        let state: Mutex<(answers: [(String, UInt64)?], asked: [UInt64?])>
        init(_ answers: [(String, UInt64)?]) { state = Mutex((answers, [])) }

        func fetch(_ index: UInt64?) throws -> (String, UInt64) {
            let next = state.withLock { state -> (String, UInt64)?? in
                state.asked.append(index)
                return state.answers.isEmpty ? .some(nil) : state.answers.removeFirst()
            }
            guard let answer = next ?? nil else { throw Broken() }
            return (answer.0, answer.1)
        }
        var asked: [UInt64?] { state.withLock { $0.asked } }
    }

    @Test func handsOnChangesResetsAndFailuresWithTheRightIndexes() async {
        let script = Script([("a", 5), ("a", 5), ("b", 9), nil, ("b", 9), ("c", 3), ("c", 3)])
        let loop = BlockingQueryLoop(minimumBackoff: .milliseconds(1), maximumBackoff: .milliseconds(4),
                                     minimumInterval: .milliseconds(1))
        let events = Mutex<[String]>([])
        let task = Task {
            await loop.run({ index in try script.fetch(index) }, handle: { event in
                switch event {
                case .value(let value, let reset): events.withLock { $0.append(reset ? "reset:\(value)" : value) }
                case .failed: events.withLock { $0.append("failed") }
                }
            })
        }
        while events.withLock({ $0.filter { $0 == "failed" }.count }) < 3 { try? await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        await task.value
        let seen = events.withLock { $0 }
        // The first answer is handed on; the same index again is not, unless it is the first
        // after a failure (the recovery); a lower index is a reset.
        #expect(Array(seen.prefix(5)) == ["a", "b", "failed", "b", "reset:c"])
        // The first request does not block, nor the first after a failure; the others block on the last index.
        #expect(Array(script.asked.prefix(8)) == [nil, 5, 5, 9, nil, 9, 3, 3])
        #expect(!script.asked.contains(0))
    }
}
