import Foundation
import GlooAPI
import Logging
import Translator
import XDS

/// Publishes translations: translates each publication (reusing what the last one translated
/// while versions stay comparable), builds every proxy's xDS snapshot from the one before it,
/// hands it to the cache, and logs each problem once. Owns what incremental publishing keeps
/// between publishes.
struct SnapshotPublisher {
    let translator: Translator
    let cache: SnapshotCache
    let state: ControllerState
    let logger: Logger
    let metrics: GatewayMetrics?
    /// Reuses the translation of unchanged resources between publishes.
    private var translationCache = TranslationCache()
    private var groups: Set<String> = []
    /// Per group, what was last published and the translation (its generation) it was built from.
    private var lastPublished: [String: (generation: UInt64?, snapshot: XDSSnapshot)] = [:]
    private var loggedProblems: [String: ResourceReport] = [:]

    init(translator: Translator, cache: SnapshotCache, state: ControllerState, logger: Logger, metrics: GatewayMetrics?) {
        self.translator = translator
        self.cache = cache
        self.state = state
        self.logger = logger
        self.metrics = metrics
    }

    /// Translates one publication and publishes each proxy; proxies that disappeared get an
    /// empty snapshot (their Envoys drop the listeners instead of serving stale ones). Returns the reports.
    mutating func publish(_ publication: ConfigLoopStateMachine.Publication) async -> Reports {
        if publication.startOver {
            translationCache = TranslationCache()
            lastPublished = [:]
        }
        let (listing, discovered, secrets, issued) = (publication.listing, publication.discovered, publication.secrets, publication.issued)
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
                // The translator's account holds only against the translation the last publish was built from.
                let accountHolds = previous != nil && proxy.reuse.base != nil && proxy.reuse.base == previous?.generation
                var base = previous?.snapshot
                if base == nil { base = await cache.snapshot(group: proxy.group) }
                let xds = try proxy.envoy.xdsSnapshot(reusing: base, account: accountHolds ? proxy.reuse : .none)
                try await cache.publish(group: proxy.group, snapshot: xds)
                published[proxy.group] = xds
                lastPublished[proxy.group] = (proxy.generation, xds)
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
