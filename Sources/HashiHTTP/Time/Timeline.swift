/// An injected clock read as instants since the timeline was made, so a component can keep
/// `any Clock<Duration>` and still do instant arithmetic (tests pass a manual clock).
public struct Timeline: Sendable {
    /// A reading of the timeline: how long after its start.
    public struct Instant: InstantProtocol {
        public var sinceStart: Duration

        public init(sinceStart: Duration) { self.sinceStart = sinceStart }
        public func advanced(by duration: Duration) -> Instant { Instant(sinceStart: sinceStart + duration) }
        public func duration(to other: Instant) -> Duration { other.sinceStart - sinceStart }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceStart < rhs.sinceStart }
        public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }
        public static func - (lhs: Instant, rhs: Instant) -> Duration { rhs.duration(to: lhs) }
    }

    /// The clock the timeline reads.
    public let clock: any Clock<Duration>
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    public init(_ clock: any Clock<Duration> = ContinuousClock()) {
        self.clock = clock
        (elapsed, sleeper) = Self.readings(of: clock)
    }

    private static func readings<C: Clock<Duration>>(
        of clock: C
    ) -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) {
        let origin = clock.now
        return ({ origin.duration(to: clock.now) }, { try await clock.sleep(until: origin.advanced(by: $0), tolerance: nil) })
    }

    /// Now, on the clock.
    public var now: Instant { Instant(sinceStart: elapsed()) }

    /// Sleeps until `instant`; throws when the task is cancelled.
    public func sleep(until instant: Instant) async throws { try await sleeper(instant.sinceStart) }

    /// Sleeps for `duration`; throws when the task is cancelled.
    public func sleep(for duration: Duration) async throws { try await sleeper(elapsed() + duration) }
}
