/// How long to wait before the next attempt after failures: `initial`, growing by `multiplier`
/// up to `maximum`, each pause lengthened by up to `jitter` of itself so clients do not retry in
/// step; `reset()` after a success.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// The largest fraction added to a pause (0.25: up to a quarter more).
    public var jitter: Double
    /// The pause before jitter that `next()` hands out next.
    public private(set) var current: Duration

    public init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: Double = 0.25) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
        current = initial
    }

    /// The pause before the next attempt (`random` in 0..<1 picks the jitter); the one after grows.
    public mutating func next(random: Double = .random(in: 0..<1)) -> Duration {
        let pause = current + current * (jitter * random)
        current = min(current * multiplier, maximum)
        return pause
    }

    /// Starts again from `initial` (after a success).
    public mutating func reset() { current = initial }
}
