import EnvoyAPI
import Foundation
import SwiftProtobuf
import Synchronization

/// The `resources` of a state-of-the-world response that holds every resource of one type,
/// encoded once per snapshot and shared by every stream subscribed to the whole type: a
/// one-cluster change at 10,000 clusters serializes the CDS response once, not once per Envoy.
///
/// The bytes ride in the response's unknown fields, which SwiftProtobuf writes verbatim after
/// the known ones (`version_info`, `type_url`, `nonce`); field order does not matter on the wire.
final class SharedResponseBodies: Sendable {
    private let bodies = Mutex<[TypeURL: UnknownStorage]>([:])

    /// The encoded `resources` field for `type`, built from `resources` (sorted by name) the
    /// first time it is asked for.
    func body(_ type: TypeURL, _ resources: () -> [XDSResource]) -> UnknownStorage {
        // Built under the lock: streams asking at once wait for one encoding instead of each
        // making their own.
        bodies.withLock { bodies in
            if let body = bodies[type] { return body }
            var message = Envoy_Service_Discovery_V3_DiscoveryResponse()
            message.resources = resources().sorted { $0.name < $1.name }.map(\.any)
            // A message without field 2 keeps those bytes as unknown fields, unparsed.
            let body = (try? Google_Protobuf_Empty(serializedBytes: message.serializedBytes() as Data))?.unknownFields
                ?? UnknownStorage()
            bodies[type] = body
            return body
        }
    }
}
