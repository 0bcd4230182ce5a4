import AsyncHTTPClient
import ConsulStore
import Foundation
import GlooAPI
import HashiHTTP
import Logging
import NIOCore
import NomadJobs
import VaultSecrets

/// `gloo-hashi check`: is everything the gateway needs reachable and authorised, is the
/// controller ready, are Envoys connected and accepting their configuration, is any resource
/// rejected. Each check gives what it verified, or one line per problem.
public enum HealthCheck {
    public struct Outcome: Sendable {
        /// What was verified and is fine.
        public var passed: [String] = []
        /// One line per problem, in plain words (which address, which token source, what was said).
        public var problems: [String] = []
    }

    public static func run(_ effective: EffectiveConfiguration, adminAddress: String, logger: Logger) async -> Outcome {
        var outcome = Outcome()
        if let address = effective.consulAddress.value { await consul(address, effective, into: &outcome) }
        if let address = effective.vaultAddress.value { await vault(address, effective, logger: logger, into: &outcome) }
        if let address = effective.nomadAddress.value { await nomad(address, effective, into: &outcome) }
        await admin(adminAddress, into: &outcome)
        return outcome
    }

    private static func consul(_ address: String, _ effective: EffectiveConfiguration, into outcome: inout Outcome) async {
        let tokenSource = effective.consulToken.value.revealed.isEmpty ? "no token" : "the token from \(effective.consulToken.provenance)"
        do {
            let client = try ConsulHTTPClient(try RunConfiguration.consul(address, effective))
            try await withCleanup({ await client.shutdown() }) {
                let leader = try await client.send(.GET, "/v1/status/leader")
                guard leader.status == 200 else {
                    outcome.problems.append("consul \(address): /v1/status/leader answered \(leader.status)")
                    return
                }
                let root = effective.rootKey.value
                let keys = try await client.send(.GET, "/v1/kv/\(root)/", query: [("keys", nil), ("separator", "/")])
                switch keys.status {
                case 200, 404: outcome.passed.append("consul \(address): reachable, KV \(root)/ readable with \(tokenSource)")
                case 403: outcome.problems.append("consul \(address): reading KV \(root)/ was refused (403) with \(tokenSource)")
                default: outcome.problems.append("consul \(address): reading KV \(root)/ answered \(keys.status)")
                }
            }
        } catch {
            outcome.problems.append("consul \(address): \(error)")
        }
    }

    private static func vault(_ address: String, _ effective: EffectiveConfiguration, logger: Logger, into outcome: inout Outcome) async {
        do {
            let configuration = try RunConfiguration.vault(address, effective)
            let credentials = try RunConfiguration.vaultCredentials(effective)
            let client = try VaultHTTPClient(configuration)
            try await withCleanup({ await client.shutdown() }) {
                try await VaultAuthentication(method: credentials, client: client, logger: logger).start()
                let layout = GlooVaultLayout(pathPrefix: effective.vaultPathPrefix.value, rootKey: effective.vaultRootKey.value)
                let kv = VaultKV(client: client)
                let version = try await kv.mountVersion(of: layout.pathPrefix + "/")
                _ = try await kv.list(mount: layout.pathPrefix, folder: layout.secretFolder(), version: version)
                outcome.passed.append("vault \(address): authenticated (\(describe(credentials))), secrets under \(layout.pathPrefix)/"
                    + "\(layout.secretFolder()) listable (KV v\(version))")
            }
        } catch {
            outcome.problems.append("vault \(address): \(error)")
        }
    }

    private static func describe(_ credentials: VaultCredentials) -> String {
        switch credentials {
        case .token: "a token"
        case .tokenFile(let path): "the token in \(path)"
        case .appRole, .appRoleFiles: "AppRole"
        }
    }

    private static func nomad(_ address: String, _ effective: EffectiveConfiguration, into outcome: inout Outcome) async {
        guard let configuration = NomadClientConfiguration(
            address: address, token: effective.nomadToken.value, region: effective.nomadRegion.value, namespace: effective.nomadNamespace.value)
        else {
            outcome.problems.append("nomad \(address): not host:port or a URL")
            return
        }
        do {
            let client = try NomadHTTPClient(configuration)
            try await withCleanup({ await client.shutdown() }) {
                let jobs = try await NomadJobsAPI(client: client).jobs()
                outcome.passed.append("nomad \(address): reachable, \(jobs.count) jobs listed")
            }
        } catch {
            outcome.problems.append("nomad \(address): \(error)")
        }
    }

    private static func admin(_ address: String, into outcome: inout Outcome) async {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        await withCleanup({ try? await http.shutdown() }) {
            let base = address.hasPrefix("http") ? address : "http://\(address)"
            func get(_ path: String) async throws -> (Int, Data) {
                let response = try await http.execute(HTTPClientRequest(url: base + path), timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 16 << 20)
                return (Int(response.status.code), Data(buffer: body))
            }
            do {
                let (status, body) = try await get("/readyz")
                let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if status == 200, text == "ready" {
                    outcome.passed.append("controller \(address): ready")
                } else {
                    outcome.problems.append("controller \(address): \(text)")
                }
            } catch {
                outcome.problems.append("controller \(address): the admin API is unreachable (\(error)); is gloo-hashi run listening there (--admin-address)?")
                return
            }
            if let (_, body) = try? await get("/debug/xds"), let nodes = try? JSONSerialization.jsonObject(with: body) as? [[String: Any]] {
                if nodes.isEmpty { outcome.problems.append("controller \(address): no Envoy is connected") }
                for node in nodes {
                    let name = node["node"] as? String ?? "?"
                    for (type, nack) in (node["lastNack"] as? [String: [String: Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
                        outcome.problems.append("envoy \(name): rejected \(type) version \(nack["version"] as? String ?? "?"): \(nack["message"] as? String ?? "")")
                    }
                }
                if !nodes.isEmpty { outcome.passed.append("controller \(address): \(nodes.count) Envoy(s) connected") }
            }
            if let (_, body) = try? await get("/debug/reports"), let reports = try? JSONSerialization.jsonObject(with: body) as? [[String: Any]] {
                for report in reports where report["state"] as? String == "Rejected" {
                    let errors = (report["errors"] as? [String] ?? []).joined(separator: "; ")
                    outcome.problems.append("rejected \(report["key"] as? String ?? "?"): \(errors)")
                }
            }
        }
    }
}
