import GlooAPI
import HashiHTTP
import Testing

@testable import Controller
@testable import Translator

/// The controller loop's decisions on their own: events and instants in, actions out, no tasks
/// and no clock.
@Suite struct ConfigLoopStateMachineTests {
    typealias Machine = ConfigLoopStateMachine

    static func at(_ milliseconds: Int) -> Timeline.Instant { Timeline.Instant(sinceStart: .milliseconds(milliseconds)) }

    /// A listing whose configuration is identified by `revision` (the decoder's content revision).
    static func listing(_ revision: UInt64, index: UInt64? = nil, generation: UInt64 = 0) -> ResourceListing {
        var listing = ResourceListing(index: index ?? revision)
        listing.contentRevision = revision
        listing.generation = generation
        return listing
    }

    static func publications(_ actions: [Machine.Action]) -> [Machine.Publication] {
        actions.compactMap { if case .publish(let publication) = $0 { publication } else { nil } }
    }

    @Test func aBurstIsOnePublishOfTheNewestListingOnceItIsQuiet() {
        var machine = Machine(.init(quiet: .milliseconds(20), maximumDelay: .milliseconds(250)), startedAt: Self.at(0))
        for step in 0..<5 {
            #expect(machine.receive(.listing(Self.listing(UInt64(step + 1)), watchRun: 1), at: Self.at(step * 5)).isEmpty)
            #expect(machine.tick(at: Self.at(step * 5)).isEmpty, "still in the burst")
        }
        #expect(machine.deadline == Self.at(40), "quiet after the last change")
        #expect(machine.tick(at: Self.at(39)).isEmpty)
        let published = Self.publications(machine.tick(at: Self.at(40)))
        #expect(published.map(\.listing.contentRevision) == [5])
        #expect(published.first?.startOver == false)
        #expect(machine.deadline == nil, "nothing more to do until the next event")
        #expect(machine.tick(at: Self.at(1000)).isEmpty)
    }

    @Test func aStreamOfChangesPublishesAtTheMaximumDelay() {
        var machine = Machine(.init(quiet: .milliseconds(20), maximumDelay: .milliseconds(100)), startedAt: Self.at(0))
        var published: [UInt64?] = []
        for step in 0..<15 {
            let now = Self.at(step * 10)
            _ = machine.receive(.listing(Self.listing(UInt64(step + 1)), watchRun: 1), at: now)
            published += Self.publications(machine.tick(at: now)).map(\.listing.contentRevision)
        }
        #expect(published == [11], "never quiet, so the burst is cut at 100 ms with what had arrived")
    }

    @Test func anUnchangedConfigurationOnlySubmitsStatusesWithTheLastReports() {
        var machine = Machine(.init(), startedAt: Self.at(0))
        _ = machine.receive(.listing(Self.listing(1, index: 10), watchRun: 1), at: Self.at(0))
        #expect(Self.publications(machine.tick(at: Self.at(20))).count == 1)
        var reports = Reports()
        reports.add(Finding(.error, key: "gloo/gloo.solo.io/v1/Upstream/gloo-system/a", reason: "no hosts"))
        machine.published(reports)
        // A status write-back: a new index, the same configuration.
        _ = machine.receive(.listing(Self.listing(1, index: 11), watchRun: 1), at: Self.at(100))
        #expect(machine.tick(at: Self.at(120)) == [.submitStatuses(Self.listing(1, index: 11), reports)])
        // A real change publishes again.
        _ = machine.receive(.listing(Self.listing(2, index: 12), watchRun: 1), at: Self.at(200))
        #expect(Self.publications(machine.tick(at: Self.at(220))).map(\.listing.index) == [12])
    }

    @Test func theFirstPublishWaitsForDiscoveryThenWarnsWhenTheWarmupEnds() {
        let configuration = Machine.Configuration(warmup: .seconds(10), discoveries: ["consul"])
        var machine = Machine(configuration, startedAt: Self.at(0))
        _ = machine.receive(.listing(Self.listing(1), watchRun: 1), at: Self.at(0))
        let first = machine.tick(at: Self.at(20))
        #expect(first == [.setDiscoveryInterest(DiscoveryInterest())], "asks discovery, publishes nothing yet")
        #expect(machine.deadline == Self.at(10_000), "held until the warm-up ends")
        #expect(machine.tick(at: Self.at(9_999)).isEmpty)
        // An incomplete answer does not end the wait.
        _ = machine.receive(.discovered(DiscoveryResult(upstreams: [], endpoints: [:], complete: false), source: "consul"), at: Self.at(5_000))
        #expect(Self.publications(machine.tick(at: Self.at(5_020))).isEmpty)
        let late = machine.tick(at: Self.at(10_000))
        #expect(late.first == .warnDiscoveryIncomplete(waited: .seconds(10)))
        #expect(Self.publications(late).count == 1, "publishes without the endpoints after warning")
    }

    @Test func theFirstPublishGoesOutAsSoonAsDiscoveryAnswers() {
        var machine = Machine(.init(discoveries: ["consul", "nomad"]), startedAt: Self.at(0))
        _ = machine.receive(.listing(Self.listing(1), watchRun: 1), at: Self.at(0))
        _ = machine.tick(at: Self.at(20))
        _ = machine.receive(.discovered(DiscoveryResult(upstreams: [], endpoints: [:]), source: "consul"), at: Self.at(30))
        #expect(Self.publications(machine.tick(at: Self.at(50))).isEmpty, "nomad has not answered")
        _ = machine.receive(.discovered(DiscoveryResult(upstreams: [], endpoints: [:]), source: "nomad"), at: Self.at(60))
        let actions = machine.tick(at: Self.at(80))
        #expect(Self.publications(actions).count == 1)
        #expect(!actions.contains(.warnDiscoveryIncomplete(waited: .seconds(10))))
        // Once published, a later discovery change publishes without waiting for anything.
        _ = machine.receive(.discovered(DiscoveryResult(upstreams: [], endpoints: [:], complete: false), source: "consul"), at: Self.at(100))
        #expect(Self.publications(machine.tick(at: Self.at(120))).count == 1)
    }

    @Test func theSecretStoreStartsOnTheFirstListingAndTheFirstPublishWaitsForIt() {
        var machine = Machine(.init(hasSecretStore: true), startedAt: Self.at(0))
        #expect(machine.receive(.listing(Self.listing(1), watchRun: 1), at: Self.at(0)) == [.startSecrets([])])
        #expect(machine.receive(.listing(Self.listing(2), watchRun: 1), at: Self.at(1)).isEmpty, "started once")
        #expect(Self.publications(machine.tick(at: Self.at(21))).isEmpty, "no secrets yet")
        let secrets = SecretListing(secrets: [])
        _ = machine.receive(.secrets(secrets), at: Self.at(30))
        let published = Self.publications(machine.tick(at: Self.at(50)))
        #expect(published.map(\.secrets) == [secrets])
        #expect(published.map(\.listing.contentRevision) == [2])
    }

    @Test func aNewWatchOrGenerationStartsOver() {
        var machine = Machine(.init(), startedAt: Self.at(0))
        _ = machine.receive(.listing(Self.listing(1), watchRun: 1), at: Self.at(0))
        #expect(Self.publications(machine.tick(at: Self.at(20))).map(\.startOver) == [false])
        // The watch was started again (a restored backend): its versions say nothing about the
        // last publish, so even the same revision is translated afresh.
        _ = machine.receive(.listing(Self.listing(1), watchRun: 2), at: Self.at(100))
        #expect(Self.publications(machine.tick(at: Self.at(120))).map(\.startOver) == [true])
        _ = machine.receive(.listing(Self.listing(2), watchRun: 2), at: Self.at(200))
        #expect(Self.publications(machine.tick(at: Self.at(220))).map(\.startOver) == [false])
        _ = machine.receive(.listing(Self.listing(3, generation: 1), watchRun: 2), at: Self.at(300))
        #expect(Self.publications(machine.tick(at: Self.at(320))).map(\.startOver) == [true])
    }

    @Test func aSourceChangeRepublishesTheSameConfiguration() {
        var machine = Machine(.init(hasCertificateIssuer: true), startedAt: Self.at(0))
        _ = machine.receive(.listing(Self.listing(1), watchRun: 1), at: Self.at(0))
        let first = machine.tick(at: Self.at(20))
        #expect(first.first == .setCertificateRequests([]))
        #expect(Self.publications(first).count == 1, "nothing requested, nothing to wait for")
        _ = machine.receive(.certificates(IssuedCertificates()), at: Self.at(100))
        #expect(Self.publications(machine.tick(at: Self.at(120))).count == 1, "new certificates are translated")
    }
}
