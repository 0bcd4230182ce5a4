import EnvoyAPI
import Foundation
import SwiftProtobuf
import XDS

/// A test-only xDS server: serves the resources in a JSON file (Envoy JSON, each with an
/// `"@type"`) to one node group, republishes when the file changes, and prints JSON lines on
/// stdout for the test driving it (the port, each publish, each NACK). Never part of gloo-hashi.
///
/// Usage: xds-fixture-server SNAPSHOT.json [--group NAME] [--port N] [--poll-ms N]
///        [--tls-cert PEM --tls-key PEM [--client-ca PEM]]
@main
struct XDSFixtureServer {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("usage: xds-fixture-server SNAPSHOT.json [--group G] [--port N]\n".utf8))
            exit(2)
        }
        let snapshotPath = arguments.removeFirst()
        let group = option("--group", in: arguments) ?? "gloo-system~gateway-proxy"
        let port = Int(option("--port", in: arguments) ?? "0") ?? 0
        let pollInterval = Int(option("--poll-ms", in: arguments) ?? "50") ?? 50
        var security = XDSTransportSecurity.plaintext
        if let certificate = option("--tls-cert", in: arguments), let key = option("--tls-key", in: arguments) {
            security = .tls(certificateChainPath: certificate, privateKeyPath: key, clientCAPath: option("--client-ca", in: arguments))
        }
        EnvoyTypeRegistry.registerAll()

        let cache = SnapshotCache()
        let server = XDSServer(host: "127.0.0.1", port: port, security: security, cache: cache)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.serve() }
            emit(["event": "listening", "port": try await server.listeningPort()])
            tasks.addTask {
                var lastModified: Date?
                var reportedNacks: Set<String> = []
                while !Task.isCancelled {
                    let modified = (try? FileManager.default.attributesOfItem(atPath: snapshotPath)[.modificationDate]) as? Date
                    if let modified, modified != lastModified {
                        lastModified = modified
                        await publish(snapshotPath, group: group, cache: cache)
                    }
                    for node in await server.connectedNodes() {
                        if node.waitingForSnapshot, reportedNacks.insert("waiting \(node.streamID)").inserted {
                            emit(["event": "waiting", "node": node.nodeID, "group": node.group])
                        }
                        for (type, nack) in node.lastNack where reportedNacks.insert("\(node.streamID) \(nack.nonce)").inserted {
                            emit(["event": "nack", "node": node.nodeID, "type": type.rawValue, "nonce": nack.nonce,
                                  "message": nack.message])
                        }
                        for (type, version) in node.acked where reportedNacks.insert("ack \(node.streamID) \(type) \(version)").inserted {
                            emit(["event": "ack", "node": node.nodeID, "type": type.rawValue, "version": version])
                        }
                    }
                    try await Task.sleep(for: .milliseconds(pollInterval))
                }
            }
            try await tasks.next()
        }
    }

    static func publish(_ path: String, group: String, cache: SnapshotCache) async {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let items = document["resources"] as? [Any]
            else { throw FixtureError("expected {\"resources\": [...]}") }
            var resources: [XDSResource] = []
            for item in items {
                let json = try JSONSerialization.data(withJSONObject: item)
                let any = try Google_Protobuf_Any(jsonUTF8Data: json)
                guard let type = TypeURL(rawValue: any.typeURL) else { throw FixtureError("unsupported @type \(any.typeURL)") }
                let name = try resourceName(any, type: type)
                resources.append(XDSResource(name: name, typeURL: type, payload: any.value))
            }
            let snapshot = try XDSSnapshot(resources)
            try await cache.publish(group: group, snapshot: snapshot)
            emit(["event": "published", "group": group, "versions": Dictionary(uniqueKeysWithValues:
                snapshot.versions.map { ($0.key.shortName, $0.value) })])
        } catch {
            emit(["event": "refused", "error": "\(error)"])
        }
    }

    static func resourceName(_ any: Google_Protobuf_Any, type: TypeURL) throws -> String {
        switch type {
        case .cluster: try Envoy_Config_Cluster_V3_Cluster(serializedBytes: any.value).name
        case .endpoint: try Envoy_Config_Endpoint_V3_ClusterLoadAssignment(serializedBytes: any.value).clusterName
        case .listener: try Envoy_Config_Listener_V3_Listener(serializedBytes: any.value).name
        case .scopedRoute: try Envoy_Config_Route_V3_ScopedRouteConfiguration(serializedBytes: any.value).name
        case .route: try Envoy_Config_Route_V3_RouteConfiguration(serializedBytes: any.value).name
        case .virtualHost: try Envoy_Config_Route_V3_VirtualHost(serializedBytes: any.value).name
        case .secret: try Envoy_Extensions_TransportSockets_Tls_V3_Secret(serializedBytes: any.value).name
        }
    }

    static func option(_ name: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    static func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
