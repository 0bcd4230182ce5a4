import HashiHTTP
import Testing

@testable import ConsulStore

@Suite struct BlockingQueryIndexTests {
    @Test func movesForwardAndReportsNoChangeOnTimeout() {
        var index = BlockingQueryIndex()
        #expect(index.next == 0)
        #expect(index.receive(10) == .changed)
        #expect(index.next == 10)
        #expect(index.receive(10) == .unchanged)
        #expect(index.receive(12) == .changed)
    }

    @Test func resetsWhenTheIndexGoesBackwardsButNeverToZero() {
        var index = BlockingQueryIndex()
        _ = index.receive(50)
        #expect(index.receive(7) == .reset)
        #expect(index.next == 7)
        _ = index.receive(9)
        #expect(index.receive(0) == .reset)
        #expect(index.next == 1)
        #expect(index.receive(1) == .unchanged)
        #expect(index.next != 0)
    }
}
