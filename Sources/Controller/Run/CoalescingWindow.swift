import HashiHTTP

/// When to act on a burst of changes, as a pure state machine on an injected clock: wait until
/// `quiet` passes with no new change, but never longer than `maximumDelay` after the first one.
public struct CoalescingWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let quiet: Duration
    public let maximumDelay: Duration
    private(set) var firstChange: Instant?
    private(set) var lastChange: Instant?

    public init(quiet: Duration = .milliseconds(20), maximumDelay: Duration = .milliseconds(250)) {
        self.quiet = quiet
        self.maximumDelay = maximumDelay
    }

    /// Records a change seen at `now`.
    public mutating func change(at now: Instant) {
        if firstChange == nil { firstChange = now }
        lastChange = now
    }

    /// When to look again, or nil when there is nothing pending.
    public var deadline: Instant? {
        guard let firstChange, let lastChange else { return nil }
        return min(lastChange.advanced(by: quiet), firstChange.advanced(by: maximumDelay))
    }

    /// Whether the pending changes should be acted on at `now`; if so the window resets.
    public mutating func shouldFlush(at now: Instant) -> Bool {
        guard let deadline, now >= deadline else { return false }
        firstChange = nil
        lastChange = nil
        return true
    }
}

extension CoalescingWindow where Instant == Timeline.Instant {
    /// Waits on `timeline`, from now, until a burst has been quiet for `quiet` or `maximumDelay`
    /// has passed; `changes()` counts the changes seen so far (a new count restarts the quiet period).
    public static func settle(quiet: Duration, maximumDelay: Duration, on timeline: Timeline, changes: () -> Int) async {
        var window = CoalescingWindow(quiet: quiet, maximumDelay: maximumDelay)
        var seen = changes()
        window.change(at: timeline.now)
        while let deadline = window.deadline {
            do { try await timeline.sleep(until: deadline) } catch { return }
            let current = changes()
            if current != seen {
                seen = current
                window.change(at: timeline.now)
            }
            if window.shouldFlush(at: timeline.now) { return }
        }
    }
}
