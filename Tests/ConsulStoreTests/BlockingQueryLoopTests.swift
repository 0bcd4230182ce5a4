import HashiHTTP
import ConsulStore
import HashiTestServers
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

    @Test func handsOnChangesResetsAndFailuresWithTheRightIndexesAndPaces() async {
        let script = Script([("a", 5), ("a", 5), ("b", 9), nil, ("b", 9), ("c", 3), ("c", 3)])
        let clock = ManualClock()
        let loop = BlockingQueryLoop(backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(400)),
                                     minimumInterval: .seconds(1), clock: clock)
        let events = Mutex<[String]>([])
        let task = Task {
            await loop.run({ index in try script.fetch(index) }, handle: { event in
                switch event {
                case .value(let value, _, let reset): events.withLock { $0.append(reset ? "reset:\(value)" : value) }
                case .failed(_, let retryIn): events.withLock { $0.append("failed:\(retryIn)") }
                }
            })
        }
        // ("a", 5) again came back at once without news: paced to once a second.
        #expect(await clock.waitForSleepers(1))
        #expect(clock.pendingDelays == [.seconds(1)])
        #expect(events.withLock { $0 } == ["a"])
        clock.advance(by: .seconds(1))
        // ("b", 9), then a failure: backed off 100 ms plus up to a quarter.
        #expect(await clock.waitForSleepers(1))
        let pause = clock.pendingDelays.first
        #expect(pause.map { $0 >= .milliseconds(100) && $0 <= .milliseconds(125) } == true)
        clock.advanceToNextDeadline()
        // The recovery read does not block and is handed on; the lower index is a reset; the
        // unchanged ("c", 3) is paced again.
        #expect(await clock.waitForSleepers(1))
        #expect(clock.pendingDelays == [.seconds(1)])
        task.cancel()
        await task.value
        let seen = events.withLock { $0 }
        #expect(seen.count == 5 && seen[0] == "a" && seen[1] == "b" && seen[2].hasPrefix("failed:") && Array(seen[3...]) == ["b", "reset:c"])
        // The first request does not block, nor the first after a failure; the others block on the last index.
        #expect(script.asked == [nil, 5, 5, 9, nil, 9, 3])
    }

    @Test func fromAStartIndexItBlocksAtOnceAndGivesUpPastTheFailureLimit() async {
        let script = Script([("a", 7), nil, nil, nil])
        let clock = ManualClock()
        let loop = BlockingQueryLoop(backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0),
                                     maximumFailures: 2, clock: clock)
        let task = Task {
            var seen: [String] = []
            do {
                try await loop.run(from: 4) { index in try script.fetch(index) } handle: { event in
                    if case .value(let value, let index, _) = event { seen.append("\(value)@\(index)") }
                    return true
                }
                return (seen, false)
            } catch {
                return (seen, error is Broken)
            }
        }
        #expect(await clock.waitForSleepers(1))
        #expect(clock.pendingDelays == [.milliseconds(100)])
        clock.advanceToNextDeadline()
        #expect(await clock.waitForSleepers(1))
        #expect(clock.pendingDelays == [.milliseconds(200)], "the pause doubles")
        clock.advanceToNextDeadline()
        let (seen, threw) = await task.value
        #expect(seen == ["a@7"] && threw, "the third failure in a row is thrown")
        #expect(script.asked == [4, 7, nil, nil])
    }

    @Test func backoffGrowsToItsCapWithBoundedJitterAndResets() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(5), jitter: 0.25)
        #expect(backoff.next(random: 0) == .seconds(1))
        #expect(backoff.next(random: 0.999) < .milliseconds(2500) && backoff.current == .seconds(4))
        #expect(backoff.next(random: 0) == .seconds(4))
        #expect(backoff.next(random: 0) == .seconds(5) && backoff.next(random: 0) == .seconds(5), "capped")
        backoff.reset()
        #expect(backoff.next(random: 0) == .seconds(1))
    }
}
