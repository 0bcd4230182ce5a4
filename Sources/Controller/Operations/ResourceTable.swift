import Foundation
import GlooAPI

/// `gloo-hashi get` as a table: namespace, name, a kind-specific summary, and the status the
/// controller wrote (Accepted, Rejected with its reason, Warning, Pending when none yet). Secrets
/// show their type only, never key material.
public enum ResourceTable {
    public static let columns = ["NAMESPACE", "NAME", "DETAILS", "STATUS"]

    public static func rows(_ resources: [AnyResource], statusNamespace: String) -> [[String]] {
        resources.map { resource in
            [resource.metadata.namespace, resource.metadata.name, details(resource), status(resource, statusNamespace: statusNamespace)]
        }
    }

    /// Columns padded to their widest cell.
    public static func render(_ rows: [[String]], columns: [String] = columns) -> String {
        let all = [columns] + rows
        let widths = columns.indices.map { index in all.map { $0.count > index ? $0[index].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func status(_ resource: AnyResource, statusNamespace: String) -> String {
        guard resource.kind != .secret else { return "-" }
        guard let status = resource.resource.namespacedStatuses.statuses[statusNamespace], let state = status.state else { return "Pending" }
        let reason = status.reason.split(separator: "\n").first.map(String.init) ?? ""
        return reason.isEmpty || state == .accepted ? state.rawValue : "\(state.rawValue): \(reason)"
    }

    static func details(_ resource: AnyResource) -> String {
        switch resource {
        case .virtualService(let service):
            let domains = service.virtualHost?.domains ?? []
            return "domains: \(domains.isEmpty ? "*" : domains.joined(separator: ",")); routes: \(service.virtualHost?.routes.count ?? 0)"
                + (service.sslConfig != nil ? "; ssl" : "")
        case .gateway(let gateway):
            let host = gateway.bindAddress.contains(":") ? "[\(gateway.bindAddress)]" : gateway.bindAddress
            return "\(host):\(gateway.bindPort)" + (gateway.ssl ? " ssl" : "")
        case .routeTable(let table):
            return "routes: \(table.routes.count)"
        case .upstream(let upstream):
            switch upstream.upstreamType {
            case .static(let hosts): return "static: " + hosts.hosts.map { "\($0.addr):\($0.port)" }.joined(separator: ",")
            case .consul(let consul): return "consul: \(consul.serviceName)"
            case .nomad(let nomad): return "nomad: \(nomad.serviceName)"
            case .unsupported(let kind, _): return "\(kind) (unsupported)"
            case nil: return "-"
            }
        case .upstreamGroup(let group):
            return "destinations: \(group.destinations.count)"
        case .secret(let secret):
            switch secret.content {
            case .tls: return "tls"
            case .header: return "header"
            case .apiKey: return "apiKey"
            case .credentials: return "credentials"
            case .other(let kind, _): return kind
            case nil: return "-"
            }
        default:
            return ""
        }
    }

    /// A resource for `-o yaml|json`: a Secret's values replaced by `[redacted]`.
    public static func printable(_ resource: AnyResource) -> AnyResource {
        guard case .secret(var secret) = resource else { return resource }
        switch secret.content {
        case .tls(var tls):
            if !tls.privateKey.revealed.isEmpty { tls.privateKey = SensitiveString("[redacted]") }
            secret.content = .tls(tls)
        case .header(var header):
            header.headers = header.headers.mapValues { _ in SensitiveString("[redacted]") }
            secret.content = .header(header)
        case .apiKey(var key):
            key.apiKey = SensitiveString("[redacted]")
            secret.content = .apiKey(key)
        case .credentials, .other, nil:
            secret.content = nil
        }
        return AnyResource(secret)
    }
}
