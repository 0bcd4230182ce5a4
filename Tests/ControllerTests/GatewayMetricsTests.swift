import Foundation
import GlooAPI
import Testing
import Translator
import XDS

@testable import Controller

@Suite struct GatewayMetricsTests {
    @Test func familiesAppearWithTheirLabelsAndValues() async throws {
        let metrics = GatewayMetrics()
        metrics.translated(duration: .milliseconds(12), problems: [])
        metrics.observe(BackendRequest(backend: "directory", operation: "scan", duration: .milliseconds(3), failed: true))
        metrics.synced(source: "config")
        let snapshot = try XDSSnapshot([])
        metrics.published(group: "gloo-system~gateway-proxy", snapshot: snapshot)
        metrics.publishRefused(group: "gloo-system~gateway-proxy")
        let text = await metrics.exposition(xds: nil)
        for line in [
            "gloo_hashi_translations_total 1",
            "gloo_hashi_translation_duration_seconds_count 1",
            #"gloo_hashi_backend_requests_total{backend="directory",operation="scan"} 1"#,
            #"gloo_hashi_backend_errors_total{backend="directory",operation="scan"} 1"#,
            #"gloo_hashi_snapshot_resources{proxy="gloo-system~gateway-proxy",type="CDS"} 0"#,
            #"gloo_hashi_snapshot_publishes_total{proxy="gloo-system~gateway-proxy"} 1"#,
            #"gloo_hashi_snapshot_refused_total{proxy="gloo-system~gateway-proxy"} 1"#,
            #"gloo_hashi_xds_nacks_total{type="RDS"} 0"#,
            "gloo_hashi_leader 1",
        ] {
            #expect(text.contains(line), "\(line)")
        }
        #expect(text.contains("# TYPE gloo_hashi_translation_duration_seconds histogram"))
        let emptyVersion = snapshot.versions[.cluster] ?? ""
        #expect(text.contains(#"gloo_hashi_snapshot_version_info{proxy="gloo-system~gateway-proxy",type="CDS",version="\#(emptyVersion)"} 1"#))

        // A new version replaces the old version's series.
        let next = try XDSSnapshot([XDSResource(name: "a", typeURL: .cluster, payload: Data([1]))])
        metrics.published(group: "gloo-system~gateway-proxy", snapshot: next)
        let after = await metrics.exposition(xds: nil)
        #expect(after.contains(#"type="CDS",version="\#(next.versions[.cluster] ?? "")"} 1"#))
        #expect(!after.contains(#"type="CDS",version="\#(emptyVersion)""#))
        #expect(after.contains(#"gloo_hashi_snapshot_resources{proxy="gloo-system~gateway-proxy",type="CDS"} 1"#))
        #expect(text.contains(#"gloo_hashi_source_last_sync_timestamp_seconds{source="config"}"#))
    }
}
