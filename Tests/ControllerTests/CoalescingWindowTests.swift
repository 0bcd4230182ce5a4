import Testing

@testable import Controller

@Suite struct CoalescingWindowTests {
    typealias Window = CoalescingWindow<ContinuousClock.Instant>
    let start = ContinuousClock.Instant.now

    @Test func waitsForQuietThenFlushes() {
        var window = Window(quiet: .milliseconds(20), maximumDelay: .milliseconds(250))
        #expect(window.deadline == nil)
        window.change(at: start)
        #expect(window.deadline == start.advanced(by: .milliseconds(20)))
        let early = window.shouldFlush(at: start.advanced(by: .milliseconds(10)))
        #expect(!early)
        window.change(at: start.advanced(by: .milliseconds(15)))
        let restarted = window.shouldFlush(at: start.advanced(by: .milliseconds(30)))
        #expect(!restarted, "a new change restarts the quiet period")
        let quiet = window.shouldFlush(at: start.advanced(by: .milliseconds(35)))
        #expect(quiet)
        #expect(window.deadline == nil, "flushing resets the window")
    }

    @Test func aSteadyStreamStillFlushesAtTheMaximumDelay() {
        var window = Window(quiet: .milliseconds(20), maximumDelay: .milliseconds(100))
        var now = start
        var flushed = false
        for _ in 0..<20 {
            window.change(at: now)
            now = now.advanced(by: .milliseconds(10))
            if window.shouldFlush(at: now) { flushed = true; break }
        }
        #expect(flushed)
        #expect(now <= start.advanced(by: .milliseconds(110)))
    }
}

@Suite struct HostPortTests {
    @Test func parses() {
        #expect(HostPort("0.0.0.0:9977") == HostPort(host: "0.0.0.0", port: 9977))
        #expect(HostPort("[::]:9977") == HostPort(host: "::", port: 9977))
        #expect(HostPort(":9091") == HostPort(host: "0.0.0.0", port: 9091))
        #expect(HostPort("localhost:0")?.port == 0)
        #expect(HostPort("9977") == nil)
        #expect(HostPort("::1:80") == nil, "IPv6 needs brackets")
        #expect(HostPort("host:70000") == nil)
        #expect(HostPort(host: "::", port: 1).description == "[::]:1")
    }
}
