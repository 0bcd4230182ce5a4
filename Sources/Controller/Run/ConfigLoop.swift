import Foundation
import GlooAPI
import Logging
import ServiceLifecycle
import Synchronization
import Translator
import XDS

/// The controller loop: watch the store, coalesce bursts, translate, publish every proxy's
/// snapshot. Unchanged input publishes nothing; a failed publish keeps the last good snapshot.
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

    public init(
        store: any ResourceStore, cache: SnapshotCache, state: ControllerState, translator: Translator = Translator(),
        quiet: Duration = .milliseconds(20), maximumDelay: Duration = .milliseconds(250), logger: Logger,
        metrics: GatewayMetrics? = nil, statusWriter: StatusWriter? = nil, discoveries: [any EndpointDiscovery] = [],
        discoveryWarmup: Duration = .seconds(10), secretStore: (any SecretStore)? = nil,
        certificateIssuer: (any CertificateIssuer)? = nil
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
    }

    public func run() async throws {
        let latest = LatestListing()
        let discovered = LatestDiscoveries()
        let storedSecrets = LatestSecrets()
        let issuedCertificates = LatestCertificates()
        let (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let store = store
        let state = state
        let logger = logger
        let metrics = metrics
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // A failed watch is started again with backoff (1 s doubling to 30 s); meanwhile
                // Envoys keep the last published snapshot and the admin API says why.
                var backoff = Duration.seconds(1)
                var run = 0
                while !Task.isCancelled {
                    run += 1
                    do {
                        for try await listing in store.watch() {
                            latest.store(listing, watchRun: run)
                            metrics?.synced(source: "config")
                            await state.sourceRecovered()
                            backoff = .seconds(1)
                            signal.yield()
                        }
                        if Task.isCancelled { break }
                        throw WatchEnded()
                    } catch where Task.isCancelled {
                        break
                    } catch {
                        metrics?.sourceFailed(source: "config")
                        await state.sourceFailed("\(error)")
                        logger.error("configuration watch failed; serving the last good snapshot and retrying",
                                     metadata: ["error": "\(error)", "retryIn": "\(backoff)"])
                        try? await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, .seconds(30))
                    }
                }
                signal.finish()
            }
            for discovery in discoveries {
                group.addTask {
                    await Self.follow(discovery, into: discovered, signal: signal, state: state, logger: logger, metrics: metrics)
                }
            }
            if let secretStore {
                group.addTask {
                    // Secrets are read only once the configuration says which ones it references.
                    while latest.listing == nil, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                    if let listing = latest.listing {
                        secretStore.setReferenced(SecretInterestPlan.referenced(
                            listing.resources, discovered: discovered.current.0.values.flatMap(\.upstreams)))
                    }
                    await Self.follow(secretStore, into: storedSecrets, signal: signal, state: state, logger: logger, metrics: metrics)
                }
            }
            if let certificateIssuer {
                group.addTask {
                    await Self.follow(certificateIssuer, into: issuedCertificates, signal: signal, state: state, metrics: metrics)
                }
            }
            if !discoveries.isEmpty || secretStore != nil || certificateIssuer != nil {
                // Wakes the loop when the warm-up ends, so the first publish happens without discovery if it must.
                let warmup = discoveryWarmup
                group.addTask {
                    try? await Task.sleep(for: warmup)
                    signal.yield()
                }
            }
            let started = ContinuousClock.now
            var everPublished = false
            var interest: DiscoveryInterest?
            var wanted = DiscoveryInterest()
            var interestBasis: (listing: ResourceListing, discovered: [String: [Upstream]])?
            // Each VirtualService's and RouteTable's destinations, walked again only when it changed.
            let interestMemo = DiscoveryInterestPlan.Memo()
            var inputs = (generation: -1, stored: [Upstream](), joined: DiscoveredInputs())
            var translatedDiscovery = -1
            var previous: ResourceListing?
            var certificateRequests: Set<VaultPkiCertificate>?
            // Reuses the translation of unchanged resources between publishes, while versions
            // stay comparable: a new watch (the backend may have been restored meanwhile) or a
            // new version generation starts over.
            var translationCache = TranslationCache()
            var versionEpoch: (run: Int, generation: UInt64)?
            var groups: Set<String> = []
            // Per group, what was last published and the resources it was built from.
            var lastPublished: [String: (resources: EnvoyResources, snapshot: XDSSnapshot)] = [:]
            var lastReports = Reports()
            var loggedProblems: [String: ResourceReport] = [:]
            for await _ in signals.cancelOnGracefulShutdown() {
                await CoalescingWindow.settle(quiet: quiet, maximumDelay: maximumDelay) { latest.generation }
                guard let (listing, run) = latest.listingAndRun else { continue }
                if let epoch = versionEpoch, epoch != (run, listing.generation) {
                    translationCache = TranslationCache()
                    previous = nil
                    lastPublished = [:]
                }
                versionEpoch = (run, listing.generation)
                let (results, discoveryGeneration) = discovered.current
                let (secretListing, secretsGeneration) = storedSecrets.current
                var (issued, certificatesGeneration) = issuedCertificates.current
                if let certificateIssuer {
                    // Ask for what the configuration names; the first publish waits (at most the
                    // warm-up) until each has been tried, so Envoy does not start without them.
                    let requests = SecretInterestPlan.certificateRequests(listing.resources)
                    if requests != certificateRequests {
                        certificateRequests = requests
                        await certificateIssuer.setRequests(requests)
                    }
                    let answered = issued.requests == requests.filter { $0.problem == nil }
                    if !everPublished, !answered, ContinuousClock.now - started < discoveryWarmup { continue }
                } else {
                    for request in SecretInterestPlan.certificateRequests(listing.resources) {
                        issued.problems[request] = "gloo-hashi runs without Vault (--vault-address or Settings vaultSecretSource)"
                    }
                }
                if let secretStore {
                    secretStore.setReferenced(SecretInterestPlan.referenced(listing.resources, discovered: results.values.flatMap(\.upstreams)))
                    if !everPublished, secretListing == nil, ContinuousClock.now - started < discoveryWarmup { continue }
                }
                if !discoveries.isEmpty {
                    // Tell discovery which services to watch, then (the first time) wait until it
                    // has answered for them, at most the warm-up.
                    // Recomputed only when the configuration or the discovered Upstreams changed.
                    let discoveredUpstreams = results.mapValues(\.upstreams)
                    if interestBasis.map({ !Self.sameConfiguration($0.listing, listing) || $0.discovered != discoveredUpstreams }) ?? true {
                        wanted = DiscoveryInterestPlan.interest(listing.resources, discovered: results.values.flatMap(\.upstreams),
                                                                memo: interestMemo)
                        interestBasis = (listing, discoveredUpstreams)
                    }
                    if wanted != interest {
                        interest = wanted
                        for discovery in discoveries { await discovery.setInterest(wanted) }
                    }
                    let answered = discoveries.allSatisfy { results[$0.name].map { $0.complete && $0.interest == wanted } ?? false }
                    if !everPublished, !answered, ContinuousClock.now - started < discoveryWarmup { continue }
                    if !everPublished, !answered {
                        logger.warning("discovery has not answered for every referenced service; publishing without those endpoints",
                                       metadata: ["waited": "\(discoveryWarmup)"])
                    }
                }
                if discoveryGeneration != inputs.generation || listing.resources.upstreams != inputs.stored {
                    inputs = (discoveryGeneration, listing.resources.upstreams,
                              DiscoveredInputs(results: results, stored: listing.resources.upstreams, previous: inputs.joined))
                }
                // Generations only grow, so their sum changes whenever any of them does.
                let discoveryChanged = translatedDiscovery != discoveryGeneration + secretsGeneration + certificatesGeneration
                translatedDiscovery = discoveryGeneration + secretsGeneration + certificatesGeneration
                if let previous, !discoveryChanged, Self.sameConfiguration(previous, listing) {
                    // Nothing to translate (at most a status changed); the writer still needs the new versions.
                    statusWriter?.submit(listing, reports: lastReports, translated: false)
                    continue
                }
                previous = listing
                lastReports = await publish(listing, discovered: inputs.joined, secrets: secretListing ?? SecretListing(secrets: []),
                                            issued: issued, cache: translationCache, groups: &groups, lastPublished: &lastPublished,
                                            loggedProblems: &loggedProblems)
                everPublished = true
                statusWriter?.submit(listing, reports: lastReports, translated: true)
            }
            group.cancelAll()
        }
    }

    /// Keeps `discovery`'s newest result in `latest` and wakes the loop; a stream that ends or
    /// fails is followed again after a pause, and meanwhile its last result stays.
    static func follow(
        _ discovery: any EndpointDiscovery, into latest: LatestDiscoveries, signal: AsyncStream<Void>.Continuation,
        state: ControllerState, logger: Logger, metrics: GatewayMetrics?
    ) async {
        let source = "discovery-\(discovery.name)"
        var failing = false
        while !Task.isCancelled {
            do {
                for try await result in discovery.discoveries() {
                    latest.store(result, source: discovery.name)
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
                    signal.yield()
                }
            } catch {
                logger.error("discovery failed; keeping its last result", metadata: ["source": "\(discovery.name)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Keeps the secret store's newest listing in `latest` and wakes the loop; a watch that fails
    /// is started again with backoff (1 s doubling to 30 s) while the last secrets keep serving.
    static func follow(
        _ store: any SecretStore, into latest: LatestSecrets, signal: AsyncStream<Void>.Continuation, state: ControllerState,
        logger: Logger, metrics: GatewayMetrics?
    ) async {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                for try await listing in store.watchSecrets() {
                    latest.store(listing)
                    metrics?.synced(source: "secrets")
                    await state.sourceRecovered("secrets")
                    backoff = .seconds(1)
                    signal.yield()
                }
            } catch where !Task.isCancelled {
                metrics?.sourceFailed(source: "secrets")
                await state.sourceFailed("\(error)", source: "secrets")
                logger.error("secret store failing; the last good secrets keep serving", metadata: [
                    "error": "\(error)", "retryIn": "\(backoff)",
                ])
            } catch {}
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(30))
        }
    }

    /// Keeps the issuer's newest certificates in `latest` and wakes the loop; renewal failures
    /// show on health (`vault-pki`) while the last certificates keep serving.
    static func follow(
        _ issuer: any CertificateIssuer, into latest: LatestCertificates, signal: AsyncStream<Void>.Continuation,
        state: ControllerState, metrics: GatewayMetrics?
    ) async {
        var failing = false
        for await issued in issuer.certificates() {
            latest.store(issued)
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
            signal.yield()
        }
    }

    /// Whether two listings of one watch hold the same configuration: by the decoder's content
    /// revision when it counts (a status write-back keeps it), else by comparing everything.
    static func sameConfiguration(_ previous: ResourceListing, _ listing: ResourceListing) -> Bool {
        if let before = previous.contentRevision, let now = listing.contentRevision { return before == now }
        return previous.resources == listing.resources && previous.findings == listing.findings
    }

    /// Translates one listing and publishes each proxy; proxies that disappeared get an empty
    /// snapshot (their Envoys drop the listeners instead of serving stale ones). Returns the reports.
    @discardableResult
    func publish(
        _ listing: ResourceListing, discovered: DiscoveredInputs = DiscoveredInputs(), secrets: SecretListing = SecretListing(secrets: []),
        issued: IssuedCertificates = IssuedCertificates(), cache translationCache: TranslationCache,
        groups: inout Set<String>,
        lastPublished: inout [String: (resources: EnvoyResources, snapshot: XDSSnapshot)],
        loggedProblems: inout [String: ResourceReport]
    ) async -> Reports {
        let started = ContinuousClock.now
        let snapshot = ApiSnapshot(resources: listing.resources, discoveredUpstreams: discovered.upstreams,
                                   endpoints: discovered.endpoints, secrets: secrets.secrets, issuedCertificates: issued,
                                   findings: listing.findings + secrets.findings,
                                   takenAt: Date().timeIntervalSince1970)
        let result = translator.translate(snapshot, cache: translationCache)
        let problems = result.reports.problems
        metrics?.translated(duration: ContinuousClock.now - started, problems: problems)
        metrics?.certificates(listing.resources.secrets + secrets.secrets, issued: issued)
        var published: [String: XDSSnapshot] = [:]
        for proxy in result.proxies {
            do {
                let previous = lastPublished[proxy.group]
                let current = await cache.snapshot(group: proxy.group)
                let xds = try proxy.envoy.xdsSnapshot(reusing: previous?.snapshot ?? current, builtFrom: previous?.resources)
                try await cache.publish(group: proxy.group, snapshot: xds)
                published[proxy.group] = xds
                lastPublished[proxy.group] = (proxy.envoy, xds)
                metrics?.published(group: proxy.group, snapshot: xds)
                logger.info("published", metadata: [
                    "group": "\(proxy.group)",
                    "counts": "\(xds.counts.sorted { $0.key < $1.key }.map { "\($0.key.shortName)=\($0.value)" }.joined(separator: " "))",
                    "listeners": "\(xds.versions[.listener] ?? "")",
                ])
            } catch {
                logger.error("publish refused; Envoys keep the last good snapshot",
                             metadata: ["group": "\(proxy.group)", "error": "\(error)"])
                metrics?.publishRefused(group: proxy.group)
                await state.failed("\(proxy.group): \(error)")
            }
        }
        for gone in groups.subtracting(published.keys).sorted() {
            if let empty = try? XDSSnapshot([]), (try? await cache.publish(group: gone, snapshot: empty)) != nil {
                published[gone] = empty
                lastPublished[gone] = nil
                metrics?.published(group: gone, snapshot: empty)
                logger.info("proxy has no gateways any more; published an empty snapshot", metadata: ["group": "\(gone)"])
            }
        }
        groups = Set(published.keys)
        // Each problem is logged when it appears or changes, not again on every translation.
        for report in problems where loggedProblems[report.key] != report {
            let metadata: Logger.Metadata = ["key": "\(report.key)", "state": "\(report.state.rawValue)"]
            if report.state == .rejected {
                logger.error("\(report.reason)", metadata: metadata)
            } else {
                logger.warning("\(report.reason)", metadata: metadata)
            }
        }
        loggedProblems = Dictionary(problems.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        logger.info("translated", metadata: [
            "resources": "\(listing.resources.count)", "proxies": "\(result.proxies.count)",
            "problems": "\(problems.count)", "duration": "\(ContinuousClock.now - started)",
        ])
        await state.published(groups: published, reports: result.reports, proxies: result.proxies)
        return result.reports
    }
}

/// The newest result of each discovery source, and a count of results so far.
final class LatestDiscoveries: Sendable {
    private let state = Mutex<(results: [String: DiscoveryResult], generation: Int)>(([:], 0))

    func store(_ result: DiscoveryResult, source: String) {
        state.withLock { $0 = ($0.results.merging([source: result]) { $1 }, $0.generation + 1) }
    }

    var current: ([String: DiscoveryResult], Int) { state.withLock { ($0.results, $0.generation) } }
}

/// The secret store's newest listing, and a count of listings so far.
final class LatestSecrets: Sendable {
    private let state = Mutex<(listing: SecretListing?, generation: Int)>((nil, 0))

    func store(_ listing: SecretListing) { state.withLock { $0 = (listing, $0.generation + 1) } }

    var current: (SecretListing?, Int) { state.withLock { ($0.listing, $0.generation) } }
}

/// The issuer's newest certificates, and a count of results so far.
final class LatestCertificates: Sendable {
    private let state = Mutex<(issued: IssuedCertificates, generation: Int)>((IssuedCertificates(), 0))

    func store(_ issued: IssuedCertificates) { state.withLock { $0 = (issued, $0.generation + 1) } }

    var current: (IssuedCertificates, Int) { state.withLock { ($0.issued, $0.generation) } }
}

/// A store's watch that finished without an error (it is started again like a failed one).
struct WatchEnded: Error, CustomStringConvertible {
    var description: String { "the configuration watch ended" }
}

/// The newest listing from the watch and how many have arrived, shared with the watch task.
final class LatestListing: Sendable {
    private let state = Mutex<(listing: ResourceListing?, run: Int, generation: Int)>((nil, 0, 0))

    /// Keeps `listing`, delivered by the `watchRun`th watch.
    func store(_ listing: ResourceListing, watchRun: Int) {
        state.withLock { $0 = (listing, watchRun, $0.generation + 1) }
    }

    var listing: ResourceListing? { state.withLock { $0.listing } }
    var listingAndRun: (ResourceListing, Int)? { state.withLock { state in state.listing.map { ($0, state.run) } } }
    var generation: Int { state.withLock { $0.generation } }
}
