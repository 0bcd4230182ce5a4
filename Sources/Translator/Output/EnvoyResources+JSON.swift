import EnvoyAPI
import Foundation
import SwiftProtobuf

extension EnvoyResources {
    /// The resources as one deterministic JSON document (Envoy's JSON, proto field names), for
    /// golden files and the admin API's snapshot view.
    public func jsonText() throws -> String {
        EnvoyTypeRegistry.registerAll()
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.useDeterministicOrdering = true
        func objects<M: SwiftProtobuf.Message>(_ messages: [M]) throws -> [Any] {
            try messages.map { try JSONSerialization.jsonObject(with: try $0.jsonUTF8Data(options: options)) }
        }
        let document: [String: Any] = [
            "clusters": try objects(clusters),
            "endpoints": try objects(loadAssignments),
            "listeners": try objects(listeners),
            "routes": try objects(routeConfigurations),
            "secrets": try objects(secrets),
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
