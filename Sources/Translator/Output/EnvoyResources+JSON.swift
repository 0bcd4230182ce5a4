import EnvoyAPI
import Foundation
import SwiftProtobuf

extension EnvoyResources {
    /// The resources as one deterministic JSON document (Envoy's JSON, proto field names), for
    /// golden files and the admin API's snapshot view.
    public func jsonText(redactingPrivateKeys: Bool = false) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: try jsonObject(redactingPrivateKeys: redactingPrivateKeys),
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The resources as JSON objects (`clusters`, `endpoints`, `listeners`, `routes`,
    /// `scoped_routes`, `secrets`);
    /// with `redactingPrivateKeys`, every private key reads `[redacted]`.
    public func jsonObject(redactingPrivateKeys: Bool) throws -> [String: Any] {
        EnvoyTypeRegistry.registerAll()
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.useDeterministicOrdering = true
        func objects<M: SwiftProtobuf.Message>(_ messages: [M]) throws -> [Any] {
            try messages.map { try JSONSerialization.jsonObject(with: try $0.jsonUTF8Data(options: options)) }
        }
        var secretObjects = try objects(secrets)
        if redactingPrivateKeys {
            secretObjects = secretObjects.map { object in
                guard var secret = object as? [String: Any], var certificate = secret["tls_certificate"] as? [String: Any],
                      certificate["private_key"] != nil
                else { return object }
                certificate["private_key"] = ["inline_string": "[redacted]"]
                secret["tls_certificate"] = certificate
                return secret
            }
        }
        return [
            "clusters": try objects(clusters),
            "endpoints": try objects(loadAssignments),
            "listeners": try objects(listeners),
            "routes": try objects(routeConfigurations),
            "scoped_routes": try objects(scopedRouteConfigurations),
            "secrets": secretObjects,
        ]
    }
}
