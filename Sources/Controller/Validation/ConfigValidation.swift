import Foundation
import GlooAPI
import Translator

/// Validates resources on disk without running anything: every value decoded, every reference
/// checked, with the same code the controller uses (`gloo-hashi validate`).
public enum ConfigValidation {
    /// The result of validating some paths.
    public struct Report: Sendable {
        public var resourceCount: Int
        public var findings: [Finding]

        public var errorCount: Int { findings.filter { $0.severity == .error }.count }
        public var warningCount: Int { findings.filter { $0.severity == .warning }.count }
    }

    /// Validates `paths`: KV-tree directories (holding `<rootKey>/...`) or single files inside one.
    /// References are checked across everything given; with `externalSecrets`, Secrets are taken to
    /// live in Vault and references to Secrets the tree lacks are not reported.
    public static func validate(paths: [String], rootKey: String = ResourceKey.defaultRootKey, externalSecrets: Bool = false) async -> Report {
        var entries: [String: KVEntry] = [:]
        var findings: [Finding] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                findings.append(Finding(.error, key: path, reason: "no such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                let treeRoot = treeDirectory(for: path, rootKey: rootKey)
                do {
                    let listing = try await DirectoryStore(directory: treeRoot, rootKey: rootKey).entries(prefix: rootKey + "/")
                    if listing.entries.isEmpty && listing.problems.isEmpty {
                        findings.append(Finding(.warning, key: path, reason: "no resources under \(treeRoot)/\(rootKey)/"))
                    }
                    for entry in listing.entries { entries[entry.key] = entry }
                    findings += listing.problems
                } catch {
                    findings.append(Finding(.error, key: path, reason: "\(error)"))
                }
            } else if let data = FileManager.default.contents(atPath: path) {
                let key = DirectoryStore.key(forFile: path, rootKey: rootKey)
                entries[key] = KVEntry(key: key, value: [UInt8](data), version: 1)
            } else {
                findings.append(Finding(.error, key: path, reason: "cannot read the file"))
            }
        }
        var decoder = KVTreeDecoder(rootKey: rootKey)
        let listing = decoder.decode(KVListing(entries: entries.values.sorted { $0.key < $1.key }, index: 0))
        let snapshot = ApiSnapshot(resources: listing.resources, findings: listing.findings)
        findings += listing.findings
        findings += ReferenceChecker.check(snapshot, rootKey: rootKey, checksSecrets: !externalSecrets)
        return Report(resourceCount: listing.resources.count, findings: findings.sorted())
    }

    /// A directory given as the tree itself or as its `<rootKey>` folder.
    private static func treeDirectory(for path: String, rootKey: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if FileManager.default.fileExists(atPath: trimmed + "/" + rootKey) { return trimmed }
        if trimmed.hasSuffix("/" + rootKey) || trimmed == rootKey {
            let parent = (trimmed as NSString).deletingLastPathComponent
            return parent.isEmpty ? "." : parent
        }
        return trimmed
    }
}
