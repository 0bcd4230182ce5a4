import GlooAPI
import Synchronization

/// Where the loop's sources leave their newest values: one slot per source, so a loop busy
/// translating finds only the newest of each (a 15 MB listing is never queued twice), and one
/// wake-up signal for all of them.
final class ConfigLoopMailbox: Sendable {
    private struct Slots {
        var listing: (ResourceListing, watchRun: Int)?
        var discovered: [String: DiscoveryResult] = [:]
        var secrets: SecretListing?
        var certificates: IssuedCertificates?
    }

    private let slots = Mutex(Slots())
    /// One element per wake-up; ends when the configuration watch stops.
    let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init() { (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1)) }

    /// Keeps `event`'s value in its source's slot (replacing an older one) and wakes the loop.
    func post(_ event: ConfigLoopStateMachine.Event) {
        slots.withLock { slots in
            switch event {
            case .listing(let listing, let run): slots.listing = (listing, run)
            case .discovered(let result, let source): slots.discovered[source] = result
            case .secrets(let listing): slots.secrets = listing
            case .certificates(let issued): slots.certificates = issued
            }
        }
        signal.yield()
    }

    /// Wakes the loop without a new value (a deadline passed).
    func poke() { signal.yield() }

    func finish() { signal.finish() }

    /// The values posted since the last drain, as events.
    func drain() -> [ConfigLoopStateMachine.Event] {
        slots.withLock { slots in
            defer { slots = Slots() }
            var events: [ConfigLoopStateMachine.Event] = []
            for (source, result) in slots.discovered.sorted(by: { $0.key < $1.key }) { events.append(.discovered(result, source: source)) }
            if let secrets = slots.secrets { events.append(.secrets(secrets)) }
            if let certificates = slots.certificates { events.append(.certificates(certificates)) }
            if let (listing, run) = slots.listing { events.append(.listing(listing, watchRun: run)) }
            return events
        }
    }
}
