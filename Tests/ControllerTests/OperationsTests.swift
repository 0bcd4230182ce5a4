import Foundation
import GlooAPI
import Testing

@testable import Controller

/// The pure parts of the operator commands: manifests, kind names, the table, route building,
/// dry runs and delete protection.
@Suite struct OperationsTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/consul-kv").path

    static func examplesListing() async throws -> ResourceListing {
        for try await listing in DirectoryStore(directory: examples, rootKey: "gloo").watch() { return listing }
        throw CancellationError()
    }

    @Test func manifestsAndKindNames() {
        let documents = ManifestReader.documents("""
            apiVersion: gloo.solo.io/v1
            kind: Upstream
            metadata: {name: echo, namespace: apps, resourceVersion: "7", uid: abc, selfLink: /apis/x, finalizers: [f], creationTimestamp: "2026-01-01T00:00:00Z"}
            spec: {static: {hosts: [{addr: 10.0.0.1, port: 80}]}}
            ---
            apiVersion: gloo.solo.io/v1
            kind: Upstream
            metadata: {name: bad}
            spec: {static: {hosts: [{addr: 10.0.0.1, prot: 80}]}}
            ---
            apiVersion: example.com/v1
            kind: Thing
            metadata: {name: x}
            """, source: "m.yaml", treeKey: nil, rootKey: "gloo")
        #expect(documents.count == 3)
        #expect(documents[0].resource?.metadata.ref == ResourceRef(name: "echo", namespace: "apps") && documents[0].resourceVersion == "7")
        #expect(documents[1].resource == nil && documents[1].problems.contains { $0.contains("did you mean 'port'") })
        #expect(documents[1].source == "m.yaml (document 2)")
        #expect(documents[2].problems == ["apiVersion example.com/v1, kind Thing is not a Gloo kind gloo-hashi knows"])
        #expect(ResourceKindName.parse("vs") == .virtualService && ResourceKindName.parse("UpstreamGroups") == .upstreamGroup)
        #expect(ResourceKindName.parse("proxy") == nil)
        #expect(documents[0].problems.isEmpty, "Kubernetes' own metadata (kubectl get -o yaml) is dropped: \(documents[0].problems)")
        #expect(ResourceKindName.parse("rto") == .routeOption && ResourceKindName.parse("VirtualHostOptions") == .virtualHostOption)
    }

    @Test func tableShowsStatusAndNeverKeys() {
        var upstream = Upstream(metadata: Metadata(name: "echo", namespace: "gloo-system"),
                                upstreamType: .static(StaticUpstream(hosts: [StaticHost(addr: "10.0.0.1", port: 80)])))
        upstream.namespacedStatuses.statuses["gloo-system"] = Status(state: .rejected, reason: "static.hosts[0].port: bad\nmore", reportedBy: "gloo")
        let secret = Secret(metadata: Metadata(name: "tls", namespace: "gloo-system"),
                            content: .tls(TlsSecret(certChain: "CERT", privateKey: SensitiveString("-----BEGIN PRIVATE KEY-----"))))
        let rows = ResourceTable.rows([AnyResource(upstream), AnyResource(secret)], statusNamespace: "gloo-system")
        #expect(rows[0] == ["gloo-system", "echo", "static: 10.0.0.1:80", "Rejected: static.hosts[0].port: bad"])
        #expect(rows[1] == ["gloo-system", "tls", "tls", "-"])
        guard case .secret(let printable) = ResourceTable.printable(AnyResource(secret)), case .tls(let tls)? = printable.content else {
            Issue.record("not a TLS secret")
            return
        }
        #expect(tls.privateKey.revealed == "[redacted]")
    }

    @Test func deleteProtectionNamesTheRoutesAndDryRunsReportWhatBreaks() async throws {
        let listing = try await Self.examplesListing()
        let users = ConfigurationChange.users(of: .routeTable, ResourceRef(name: "store", namespace: "gloo-system"), in: listing.resources,
                                              rootKey: "gloo")
        #expect(users == ["gloo/gateway.solo.io/v1/VirtualService/gloo-system/default: virtualHost.routes[2].delegateAction.ref"])
        #expect(ConfigurationChange.users(of: .upstream, ResourceRef(name: "web", namespace: "gloo-system"), in: listing.resources,
                                          rootKey: "gloo") == ["gloo/gateway.solo.io/v1/VirtualService/gloo-system/secure: virtualHost.routes[2].routeAction.single.upstream"])

        let route = RouteAddition(path: .prefix("/x"), target: .upstream(ResourceRef(name: "missing", namespace: "gloo-system")))
        let service = try route.applied(to: listing.resources.virtualServices.first { $0.metadata.name == "default" },
                                        ref: ResourceRef(name: "default", namespace: "gloo-system"), index: nil, rootKey: "gloo")
        #expect(service.virtualHost?.routes.count == 5)
        let problems = ConfigurationChange.dryRun(listing, applying: [AnyResource(service)], rootKey: "gloo")
        #expect(problems.map(\.key) == ["gloo/gateway.solo.io/v1/VirtualService/gloo-system/default"])
        #expect(problems.first?.state == "Warning" && problems.first?.reasons.first?.contains("Upstream gloo-system/missing not found") == true)
    }
}
