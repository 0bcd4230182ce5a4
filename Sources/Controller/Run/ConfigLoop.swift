import Foundation
import GlooAPI
import HashiHTTP
import Logging
import ServiceLifecycle
import Translator
import XDS

/// The controller loop: watch the store and the other sources, coalesce bursts, translate,
/// publish every proxy's snapshot. Unchanged input publishes nothing; a failed publish keeps the
/// last good snapshot. What to do is decided by `ConfigLoopStateMachine`; this shell runs the
/// sources as child tasks, feeds their newest values to it and performs its actions.
public struct ConfigLoop: Service {
    let store: any ResourceStore
    let cache: SnapshotCache
    let state: ControllerState
    let translator: Translator
    let quiet: Duration
    let maximumDelay: Duration
    let logger: Logger
    let metrics: GatewayMetrics?
    /// Gets every listing and its reports, to write statuses back (nil: statuses stay on the admin API).
    let statusWriter: StatusWriter?
    /// Service discovery sources (Consul catalog, Nomad services): Upstreams and endpoints.
    let discoveries: [any EndpointDiscovery]
    /// How long the first publish waits for discovery to answer for the services the
    /// configuration references (so Envoy never starts with empty load assignments).
    let discoveryWarmup: Duration
    /// Where TLS secrets come from besides the resource tree (Vault); nil: the tree only.
    let secretStore: (any SecretStore)?
    /// Issues the certificates `sslConfig.vaultPki` asks for (Vault PKI); nil: such requests are rejected.
    let certificateIssuer: (any CertificateIssuer)?
    /// The clock the loop coalesces, warms up and backs off on.
    let timeline: Timeline

    public init(
        store: any ResourceStore, cache: SnapshotCache, state: ControllerState, translator: Translator = Translator(),
        quiet: Duration = .milliseconds(20), maximumDelay: Duration = .milliseconds(250), logger: Logger,
        metrics: GatewayMetrics? = nil, statusWriter: StatusWriter? = nil, discoveries: [any EndpointDiscovery] = [],
        discoveryWarmup: Duration = .seconds(10), secretStore: (any SecretStore)? = nil,
        certificateIssuer: (any CertificateIssuer)? = nil, clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.certificateIssuer = certificateIssuer
        self.secretStore = secretStore
        self.discoveries = discoveries
        self.discoveryWarmup = discoveryWarmup
        self.metrics = metrics
        self.statusWriter = statusWriter
        self.store = store
        self.cache = cache
        self.state = state
        self.translator = translator
        self.quiet = quiet
        self.maximumDelay = maximumDelay
        self.logger = logger
        timeline = Timeline(clock)
    }

    var machineConfiguration: ConfigLoopStateMachine.Configuration {
        ConfigLoopStateMachine.Configuration(
            quiet: quiet, maximumDelay: maximumDelay, warmup: discoveryWarmup, discoveries: discoveries.map(\.name),
            hasSecretStore: secretStore != nil, hasCertificateIssuer: certificateIssuer != nil)
    }

    public func run() async throws {
        let mailbox = ConfigLoopMailbox()
        let timeline = timeline
        var machine = ConfigLoopStateMachine(machineConfiguration, startedAt: timeline.now)
        var publisher = SnapshotPublisher(translator: translator, cache: cache, state: state, logger: logger, metrics: metrics)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await followConfiguration(into: mailbox) }
            for discovery in discoveries {
                group.addTask { await follow(discovery, into: mailbox) }
            }
            if let certificateIssuer {
                group.addTask { await follow(certificateIssuer, into: mailbox) }
            }
            // Wakes the loop at the machine's deadline; re-armed after every round.
            var alarm: Task<Void, Never>?
            defer { alarm?.cancel() }
            for await _ in mailbox.signals.cancelOnGracefulShutdown() {
                let received = timeline.now
                var actions = mailbox.drain().flatMap { machine.receive($0, at: received) }
                actions += machine.tick(at: timeline.now)
                for action in actions {
                    switch action {
                    case .startSecrets(let referenced):
                        guard let secretStore else { continue }
                        secretStore.setReferenced(referenced)
                        group.addTask { await follow(secretStore, into: mailbox) }
                    case .setSecretReferences(let referenced):
                        secretStore?.setReferenced(referenced)
                    case .setDiscoveryInterest(let interest):
                        for discovery in discoveries { await discovery.setInterest(interest) }
                    case .setCertificateRequests(let requests):
                        await certificateIssuer?.setRequests(requests)
                    case .warnDiscoveryIncomplete(let waited):
                        logger.warning("discovery has not answered for every referenced service; publishing without those endpoints",
                                       metadata: ["waited": "\(waited)"])
                    case .publish(let publication):
                        let reports = await publisher.publish(publication)
                        machine.published(reports)
                        statusWriter?.submit(publication.listing, reports: reports, translated: true)
                    case .submitStatuses(let listing, let reports):
                        // Nothing to translate (at most a status changed); the writer still needs the new versions.
                        statusWriter?.submit(listing, reports: reports, translated: false)
                    }
                }
                alarm?.cancel()
                alarm = machine.deadline.map { deadline in
                    Task {
                        try? await timeline.sleep(until: deadline)
                        if !Task.isCancelled { mailbox.poke() }
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Follows the store's watch; a failed watch is started again with backoff (1 s doubling to
    /// 30 s) while Envoys keep the last published snapshot and the admin API says why. Ends the
    /// loop's signals when cancelled.
    func followConfiguration(into mailbox: ConfigLoopMailbox) async {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
        var run = 0
        while !Task.isCancelled {
            run += 1
            do {
                for try await listing in store.watch() {
                    metrics?.synced(source: "config")
                    await state.sourceRecovered()
                    backoff.reset()
                    mailbox.post(.listing(listing, watchRun: run))
                }
                if Task.isCancelled { break }
                throw WatchEnded()
            } catch where Task.isCancelled {
                break
            } catch {
                let pause = backoff.next()
                metrics?.sourceFailed(source: "config")
                await state.sourceFailed("\(error)")
                logger.error("configuration watch failed; serving the last good snapshot and retrying",
                             metadata: ["error": "\(error)", "retryIn": "\(pause)"])
                try? await timeline.sleep(for: pause)
            }
        }
        mailbox.finish()
    }

    /// Follows `discovery`'s results; a stream that ends or fails is followed again after a
    /// pause, and meanwhile its last result stays.
    func follow(_ discovery: any EndpointDiscovery, into mailbox: ConfigLoopMailbox) async {
        let source = "discovery-\(discovery.name)"
        var failing = false
        while !Task.isCancelled {
            do {
                for try await result in discovery.discoveries() {
                    await state.discovered(result, source: discovery.name)
                    metrics?.discovered(source: discovery.name, result: result)
                    if result.problems.isEmpty {
                        metrics?.synced(source: source)
                        if failing { await state.sourceRecovered(source) }
                        failing = false
                    } else {
                        if !failing { metrics?.sourceFailed(source: source) }
                        failing = true
                        await state.sourceFailed(result.problems.joined(separator: "; "), source: source)
                    }
                    mailbox.post(.discovered(result, source: discovery.name))
                }
            } catch {
                logger.error("discovery failed; keeping its last result", metadata: ["source": "\(discovery.name)", "error": "\(error)"])
            }
            try? await timeline.sleep(for: .seconds(1))
        }
    }

    /// Follows the secret store; a watch that fails is started again with backoff (1 s doubling
    /// to 30 s) while the last secrets keep serving.
    func follow(_ store: any SecretStore, into mailbox: ConfigLoopMailbox) async {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
        while !Task.isCancelled {
            do {
                for try await listing in store.watchSecrets() {
                    metrics?.synced(source: "secrets")
                    await state.sourceRecovered("secrets")
                    backoff.reset()
                    mailbox.post(.secrets(listing))
                }
            } catch where !Task.isCancelled {
                metrics?.sourceFailed(source: "secrets")
                await state.sourceFailed("\(error)", source: "secrets")
                logger.error("secret store failing; the last good secrets keep serving", metadata: [
                    "error": "\(error)", "retryIn": "\(backoff.current)",
                ])
            } catch {}
            try? await timeline.sleep(for: backoff.next())
        }
    }

    /// Follows the issuer's certificates; renewal failures show on health (`vault-pki`) while the
    /// last certificates keep serving.
    func follow(_ issuer: any CertificateIssuer, into mailbox: ConfigLoopMailbox) async {
        var failing = false
        for await issued in issuer.certificates() {
            if issued.problems.isEmpty {
                metrics?.synced(source: "vault-pki")
                if failing { await state.sourceRecovered("vault-pki") }
                failing = false
            } else {
                if !failing { metrics?.sourceFailed(source: "vault-pki") }
                failing = true
                let problems = issued.problems.sorted { $0.key.summary < $1.key.summary }.map { "\($0.key.summary): \($0.value)" }
                await state.sourceFailed(problems.joined(separator: "; "), source: "vault-pki")
            }
            mailbox.post(.certificates(issued))
        }
    }

    /// Whether two listings of one watch hold the same configuration: by the decoder's content
    /// revision when it counts (a status write-back keeps it), else by comparing everything.
    static func sameConfiguration(_ previous: ResourceListing, _ listing: ResourceListing) -> Bool {
        if let before = previous.contentRevision, let now = listing.contentRevision { return before == now }
        return previous.resources == listing.resources && previous.findings == listing.findings
    }

}

/// A store's watch that finished without an error (it is started again like a failed one).
struct WatchEnded: Error, CustomStringConvertible {
    var description: String { "the configuration watch ended" }
}
