import GlooAPI
import HashiHTTP
import Translator

/// What the controller loop decides, as a pure state machine with time as an input: it takes
/// the sources' newest values as typed events, coalesces bursts, holds the first publish until
/// discovery, secrets and issued certificates have answered (at most the warm-up), and says what
/// to do next as actions. `ConfigLoop` is the shell that runs the sources and performs them.
struct ConfigLoopStateMachine {
    typealias Instant = Timeline.Instant

    /// Which sources the loop has and how long it waits.
    struct Configuration {
        var quiet: Duration = .milliseconds(20)
        var maximumDelay: Duration = .milliseconds(250)
        /// How long the first publish waits for the sources below to answer.
        var warmup: Duration = .seconds(10)
        /// The discovery sources by name (`consul`, `nomad`).
        var discoveries: [String] = []
        var hasSecretStore = false
        var hasCertificateIssuer = false
    }

    /// A source's newest value.
    enum Event: Sendable {
        /// The configuration watch's listing; `watchRun` counts the watches started (a new one may
        /// follow a restored backend, so versions from before mean nothing).
        case listing(ResourceListing, watchRun: Int)
        case discovered(DiscoveryResult, source: String)
        case secrets(SecretListing)
        case certificates(IssuedCertificates)
    }

    /// What the shell does.
    enum Action: Equatable {
        /// Start following the secret store, reading only these secrets.
        case startSecrets(Set<ResourceRef>)
        case setSecretReferences(Set<ResourceRef>)
        case setDiscoveryInterest(DiscoveryInterest)
        case setCertificateRequests(Set<VaultPkiCertificate>)
        /// The warm-up ran out before discovery answered for every referenced service.
        case warnDiscoveryIncomplete(waited: Duration)
        /// Translate and publish; hand the reports to the status writer as a new translation.
        case publish(Publication)
        /// The configuration did not change (at most versions did): statuses with the last reports.
        case submitStatuses(ResourceListing, Reports)
    }

    /// One translation's inputs.
    struct Publication: Equatable {
        var listing: ResourceListing
        var discovered: DiscoveredInputs
        var secrets: SecretListing
        var issued: IssuedCertificates
        /// Versions are not comparable with the last publish (a new watch or generation): reuse nothing.
        var startOver: Bool
    }

    let configuration: Configuration
    let warmupEnds: Instant
    private var window: CoalescingWindow<Instant>
    private var listing: (listing: ResourceListing, watchRun: Int)?
    private var results: [String: DiscoveryResult] = [:]
    private var discoveryGeneration = 0
    private var secrets: SecretListing?
    private var secretsGeneration = 0
    private var issued = IssuedCertificates()
    private var certificatesGeneration = 0
    private var secretsStarted = false
    private var secretReferences: Set<ResourceRef>?
    private var everPublished = false
    /// The first publish is held for the sources until the warm-up ends.
    private var holding = false
    private var interest: DiscoveryInterest?
    private var wanted = DiscoveryInterest()
    private var interestBasis: (listing: ResourceListing, discovered: [String: [Upstream]])?
    /// Each VirtualService's and RouteTable's destinations, walked again only when it changed.
    private let interestMemo = DiscoveryInterestPlan.Memo()
    private var inputs = (generation: -1, stored: [Upstream](), joined: DiscoveredInputs())
    private var translatedGenerations = -1
    private var previous: ResourceListing?
    private var certificateRequests: Set<VaultPkiCertificate>?
    private var versionEpoch: (run: Int, generation: UInt64)?
    private var lastReports = Reports()

    init(_ configuration: Configuration, startedAt: Instant) {
        self.configuration = configuration
        warmupEnds = startedAt + configuration.warmup
        window = CoalescingWindow(quiet: configuration.quiet, maximumDelay: configuration.maximumDelay)
    }

    /// When `tick` has something to do (nil: nothing until the next event).
    var deadline: Instant? {
        guard let due = window.deadline else { return holding ? warmupEnds : nil }
        return holding ? min(due, warmupEnds) : due
    }

    /// Takes a source's newest value at `now`; the secret store starts once the configuration
    /// says which secrets it references.
    mutating func receive(_ event: Event, at now: Instant) -> [Action] {
        window.change(at: now)
        switch event {
        case .listing(let listing, let run):
            self.listing = (listing, run)
            if configuration.hasSecretStore, !secretsStarted {
                secretsStarted = true
                let referenced = referencedSecrets(listing)
                secretReferences = referenced
                return [.startSecrets(referenced)]
            }
        case .discovered(let result, let source):
            results[source] = result
            discoveryGeneration += 1
        case .secrets(let listing):
            secrets = listing
            secretsGeneration += 1
        case .certificates(let issued):
            self.issued = issued
            certificatesGeneration += 1
        }
        return []
    }

    /// What to do at `now`: nothing before the burst has settled (or, while the first publish
    /// is held, before the warm-up ends); then a publish, or statuses only.
    mutating func tick(at now: Instant) -> [Action] {
        let settled = window.shouldFlush(at: now)
        guard settled || (holding && now >= warmupEnds) else { return [] }
        return evaluate(at: now)
    }

    /// Reports of the last publish, for status submissions when nothing changed.
    mutating func published(_ reports: Reports) { lastReports = reports }

    private func referencedSecrets(_ listing: ResourceListing) -> Set<ResourceRef> {
        SecretInterestPlan.referenced(listing.resources, discovered: results.values.flatMap(\.upstreams))
    }

    private mutating func evaluate(at now: Instant) -> [Action] {
        holding = false
        guard let (listing, run) = self.listing else { return [] }
        var startOver = false
        if let epoch = versionEpoch, epoch != (run, listing.generation) {
            startOver = true
            previous = nil
        }
        versionEpoch = (run, listing.generation)
        var actions: [Action] = []
        let waiting = !everPublished && now < warmupEnds
        var issued = issued
        if configuration.hasCertificateIssuer {
            // Ask for what the configuration names; the first publish waits until each has been tried.
            let requests = SecretInterestPlan.certificateRequests(listing.resources)
            if requests != certificateRequests {
                certificateRequests = requests
                actions.append(.setCertificateRequests(requests))
            }
            if waiting, issued.requests != requests.filter({ $0.problem == nil }) { return hold(actions) }
        } else {
            for request in SecretInterestPlan.certificateRequests(listing.resources) {
                issued.problems[request] = "gloo-hashi runs without Vault (--vault-address or Settings vaultSecretSource)"
            }
        }
        if configuration.hasSecretStore {
            let referenced = referencedSecrets(listing)
            if referenced != secretReferences {
                secretReferences = referenced
                actions.append(.setSecretReferences(referenced))
            }
            if waiting, secrets == nil { return hold(actions) }
        }
        if !configuration.discoveries.isEmpty {
            // Tell discovery which services to watch, then (the first time) wait until it has
            // answered for them. Recomputed only when the configuration or the discovered Upstreams changed.
            let discoveredUpstreams = results.mapValues(\.upstreams)
            if interestBasis.map({ !ConfigLoop.sameConfiguration($0.listing, listing) || $0.discovered != discoveredUpstreams }) ?? true {
                wanted = DiscoveryInterestPlan.interest(listing.resources, discovered: results.values.flatMap(\.upstreams),
                                                        memo: interestMemo)
                interestBasis = (listing, discoveredUpstreams)
            }
            if wanted != interest {
                interest = wanted
                actions.append(.setDiscoveryInterest(wanted))
            }
            let answered = configuration.discoveries.allSatisfy { results[$0].map { $0.complete && $0.interest == wanted } ?? false }
            if waiting, !answered { return hold(actions) }
            if !everPublished, !answered { actions.append(.warnDiscoveryIncomplete(waited: configuration.warmup)) }
        }
        if discoveryGeneration != inputs.generation || listing.resources.upstreams != inputs.stored {
            inputs = (discoveryGeneration, listing.resources.upstreams,
                      DiscoveredInputs(results: results, stored: listing.resources.upstreams, previous: inputs.joined))
        }
        // Generations only grow, so their sum changes whenever any of them does.
        let generations = discoveryGeneration + secretsGeneration + certificatesGeneration
        let sourcesChanged = translatedGenerations != generations
        translatedGenerations = generations
        if let previous, !sourcesChanged, ConfigLoop.sameConfiguration(previous, listing) {
            actions.append(.submitStatuses(listing, lastReports))
            return actions
        }
        previous = listing
        everPublished = true
        actions.append(.publish(Publication(listing: listing, discovered: inputs.joined, secrets: secrets ?? SecretListing(secrets: []),
                                            issued: issued, startOver: startOver)))
        return actions
    }

    /// Holds the first publish until the warm-up ends or a source answers.
    private mutating func hold(_ actions: [Action]) -> [Action] {
        holding = true
        return actions
    }
}
