import Foundation
import GlooAPI
import Translator

/// Translates a KV tree on disk without serving it: what `gloo-hashi translate` prints, the
/// offline view before a `consul kv put`.
public enum OfflineTranslation {
    /// The translation of `directory` at the current time.
    public static func translate(directory: String, rootKey: String = ResourceKey.defaultRootKey) async throws -> TranslationResult {
        var decoder = KVTreeDecoder(rootKey: rootKey)
        let listing = decoder.decode(try await DirectoryStore(directory: directory, rootKey: rootKey).entries(prefix: rootKey + "/"))
        let snapshot = ApiSnapshot(resources: listing.resources, findings: listing.findings, takenAt: Date().timeIntervalSince1970)
        return Translator(rootKey: rootKey).translate(snapshot)
    }

    /// The result as one document: Envoy resources per proxy group (private keys redacted)
    /// with the route mode of each HTTP chain, and every rejected or warned resource; JSON, or YAML when `yaml`.
    public static func render(_ result: TranslationResult, proxy: String?, yaml: Bool) throws -> String {
        var proxies: [String: Any] = [:]
        for translation in result.proxies where proxy == nil || translation.group == proxy || translation.proxy.metadata.name == proxy {
            var document = try translation.envoy.jsonObject(redactingPrivateKeys: true)
            document["route_modes"] = translation.routeModes.map(\.jsonObject)
            proxies[translation.group] = document
        }
        let reports: [[String: Any]] = result.reports.problems.map {
            ["key": $0.key, "state": $0.state.rawValue, "errors": $0.errors, "warnings": $0.warnings]
        }
        let data = try JSONSerialization.data(
            withJSONObject: ["proxies": proxies, "reports": reports], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let json = String(decoding: data, as: UTF8.self) + "\n"
        guard yaml else { return json }
        return try ConfigValue.parseYAML(json).yamlText()
    }
}
