import Foundation
import GlooAPI
import Metrics
import Prometheus
import Synchronization
import Translator
import XDS

/// The process's metrics (swift-metrics, exported by swift-prometheus as Prometheus text on
/// `/metrics`). Values that live elsewhere (connected Envoys, ACKs, NACKs) are read when scraped.
/// Every family is prefixed `gloo_hashi_`; the list is in docs/metrics.md.
public final class GatewayMetrics: BackendRequestObserver, Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let translationDuration: Metrics.Timer
    private let translations: Metrics.Counter
    private let rejectedResources: Metrics.Gauge
    private let warnedResources: Metrics.Gauge
    private let leader: Metrics.Gauge
    /// What the last scrape saw of the monotonic xDS totals, and the groups and secrets given gauges.
    private let seen = Mutex<Seen>(Seen())

    private struct Seen {
        var acks: [TypeURL: Int] = [:]
        var nacks: [TypeURL: Int] = [:]
        var connectedLabels: Set<[String]> = []
        var snapshotLabels: Set<[String]> = []
        var certificateLabels: Set<String> = []
        /// The version label of each (proxy, type)'s info gauge.
        var versions: [[String]: String] = [:]
    }

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["gloo_hashi_translation_duration_seconds"] =
            [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].map { Duration.milliseconds($0) }
        self.factory = factory
        translationDuration = Metrics.Timer(label: "gloo_hashi_translation_duration_seconds", factory: factory)
        translations = Metrics.Counter(label: "gloo_hashi_translations_total", factory: factory)
        rejectedResources = Metrics.Gauge(label: "gloo_hashi_resources_rejected", factory: factory)
        warnedResources = Metrics.Gauge(label: "gloo_hashi_resources_warned", factory: factory)
        leader = Metrics.Gauge(label: "gloo_hashi_leader", factory: factory)
        // The directory backend has no election: this process is the only writer.
        leader.record(1)
        // Every xDS type's counters exist from the start, at zero.
        for type in TypeURL.allCases where type != .virtualHost {
            _ = Metrics.Counter(label: "gloo_hashi_xds_acks_total", dimensions: [("type", type.shortName)], factory: factory)
            _ = Metrics.Counter(label: "gloo_hashi_xds_nacks_total", dimensions: [("type", type.shortName)], factory: factory)
        }
    }

    /// One translation of the whole snapshot and what it reported.
    func translated(duration: Duration, problems: [ResourceReport]) {
        translationDuration.recordNanoseconds(duration.nanoseconds)
        translations.increment()
        rejectedResources.record(problems.filter { $0.state == .rejected }.count)
        warnedResources.record(problems.filter { $0.state != .rejected }.count)
    }

    /// A snapshot was published for `group`: its resources per type and the publish time.
    func published(group: String, snapshot: XDSSnapshot) {
        Metrics.Counter(label: "gloo_hashi_snapshot_publishes_total", dimensions: [("proxy", group)], factory: factory).increment()
        Metrics.Gauge(label: "gloo_hashi_snapshot_last_publish_timestamp_seconds", dimensions: [("proxy", group)], factory: factory)
            .record(Date().timeIntervalSince1970)
        for type in TypeURL.allCases where type != .virtualHost {
            Metrics.Gauge(label: "gloo_hashi_snapshot_resources", dimensions: [("proxy", group), ("type", type.shortName)], factory: factory)
                .record(snapshot.resources(of: type).count)
            // The version as an info series (value 1); the previous version's series is removed.
            let version = snapshot.versions[type] ?? ""
            let previous = seen.withLock { seen in
                defer { seen.versions[[group, type.shortName]] = version }
                return seen.versions[[group, type.shortName]]
            }
            if let previous, previous != version {
                Metrics.Gauge(label: "gloo_hashi_snapshot_version_info",
                              dimensions: [("proxy", group), ("type", type.shortName), ("version", previous)], factory: factory).destroy()
            }
            Metrics.Gauge(label: "gloo_hashi_snapshot_version_info",
                          dimensions: [("proxy", group), ("type", type.shortName), ("version", version)], factory: factory).record(1)
        }
    }

    /// A snapshot for `group` was refused (inconsistent); Envoys keep the last good one.
    /// Records this instance's role (1 leader, 0 follower).
    func leadership(_ state: LeadershipState) {
        leader.record(state == .leader ? 1 : 0)
    }

    /// Counts a status write-back by its outcome (written, unchanged, superseded, failed).
    func statusWrite(_ outcome: String) {
        Metrics.Counter(label: "gloo_hashi_status_writes_total", dimensions: [("result", outcome)], factory: factory).increment()
    }

    func publishRefused(group: String) {
        Metrics.Counter(label: "gloo_hashi_snapshot_refused_total", dimensions: [("proxy", group)], factory: factory).increment()
    }

    /// What a discovery source knows: discovered Upstreams, endpoints, and open watches (long-polls).
    func discovered(source: String, result: DiscoveryResult) {
        let dimensions = [("source", source)]
        Metrics.Gauge(label: "gloo_hashi_discovered_upstreams", dimensions: dimensions, factory: factory)
            .record(result.upstreams.count)
        Metrics.Gauge(label: "gloo_hashi_discovered_endpoints", dimensions: dimensions, factory: factory)
            .record(result.endpoints.values.reduce(0) { $0 + $1.count })
        Metrics.Gauge(label: "gloo_hashi_discovery_watches", dimensions: dimensions, factory: factory)
            .record(result.watches)
    }

    /// A source delivered a complete listing.
    func synced(source: String) {
        Metrics.Gauge(label: "gloo_hashi_source_last_sync_timestamp_seconds", dimensions: [("source", source)], factory: factory)
            .record(Date().timeIntervalSince1970)
        Metrics.Gauge(label: "gloo_hashi_source_up", dimensions: [("source", source)], factory: factory).record(1)
    }

    /// A source's watch failed.
    func sourceFailed(source: String) {
        Metrics.Counter(label: "gloo_hashi_source_errors_total", dimensions: [("source", source)], factory: factory).increment()
        Metrics.Gauge(label: "gloo_hashi_source_up", dimensions: [("source", source)], factory: factory).record(0)
    }

    public func observe(_ request: BackendRequest) {
        let dimensions = [("backend", request.backend), ("operation", request.operation)]
        Metrics.Counter(label: "gloo_hashi_backend_requests_total", dimensions: dimensions, factory: factory).increment()
        if request.failed {
            Metrics.Counter(label: "gloo_hashi_backend_errors_total", dimensions: dimensions, factory: factory).increment()
        }
        Metrics.Timer(label: "gloo_hashi_backend_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(request.duration.nanoseconds)
    }

    /// Each TLS Secret's and Vault-PKI-issued certificate's leaf expiry, as Unix time.
    func certificates(_ secrets: [Secret], issued: IssuedCertificates = IssuedCertificates()) {
        var labels: Set<String> = []
        let named = secrets.compactMap { secret in secret.tls.map { ("\(secret.metadata.namespace).\(secret.metadata.name)", $0) } }
            + issued.certificates.map { (EnvoyNames.issuedCertificateSecret($0.key), $0.value) }
        for (name, tls) in named {
            guard let expiry = CertificateExpiry.leafNotAfter(tls.certChain) else { continue }
            labels.insert(name)
            Metrics.Gauge(label: "gloo_hashi_certificate_expiry_timestamp_seconds", dimensions: [("secret", name)], factory: factory)
                .record(expiry.timeIntervalSince1970)
        }
        let gone = seen.withLock { seen in
            defer { seen.certificateLabels = labels }
            return seen.certificateLabels.subtracting(labels)
        }
        for name in gone {
            Metrics.Gauge(label: "gloo_hashi_certificate_expiry_timestamp_seconds", dimensions: [("secret", name)], factory: factory)
                .destroy()
        }
    }

    /// The Prometheus text of every family, after reading the xDS server's current state.
    public func exposition(xds: XDSServer?) async -> String {
        if let xds { await refresh(from: xds) }
        return registry.emitToString()
    }

    private func refresh(from xds: XDSServer) async {
        let nodes = await xds.connectedNodes()
        let (acks, nacks) = await xds.connections.counts()
        var connected: [[String]: Int] = [:]
        for node in nodes { connected[[node.group, node.mode.rawValue], default: 0] += 1 }
        let (ackDeltas, nackDeltas, gone) = seen.withLock { seen in
            let ackDeltas = acks.map { ($0.key, $0.value - seen.acks[$0.key, default: 0]) }
            let nackDeltas = nacks.map { ($0.key, $0.value - seen.nacks[$0.key, default: 0]) }
            let gone = seen.connectedLabels.subtracting(connected.keys)
            seen.acks = acks
            seen.nacks = nacks
            seen.connectedLabels = Set(connected.keys)
            return (ackDeltas, nackDeltas, gone)
        }
        for (type, delta) in ackDeltas where delta > 0 {
            Metrics.Counter(label: "gloo_hashi_xds_acks_total", dimensions: [("type", type.shortName)], factory: factory).increment(by: delta)
        }
        for (type, delta) in nackDeltas where delta > 0 {
            Metrics.Counter(label: "gloo_hashi_xds_nacks_total", dimensions: [("type", type.shortName)], factory: factory).increment(by: delta)
        }
        for (labels, count) in connected {
            Metrics.Gauge(label: "gloo_hashi_xds_connected_envoys", dimensions: [("group", labels[0]), ("mode", labels[1])], factory: factory)
                .record(count)
        }
        for labels in gone {
            Metrics.Gauge(label: "gloo_hashi_xds_connected_envoys", dimensions: [("group", labels[0]), ("mode", labels[1])], factory: factory)
                .record(0)
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
