import Foundation
import GlooAPI

/// What `gloo-hashi apply -f` reads: Gloo manifests as glooctl and kubectl users keep them
/// (`apiVersion: gateway.solo.io/v1`, `kind`, `metadata`, `spec`; several per file, separated by
/// `---`), or files of a KV tree on disk whose path names the key (the value is the resource).
public enum ManifestReader {
    /// One document read: the resource, or why it was refused, and where it came from.
    public struct Document: Sendable {
        public var source: String
        public var resource: AnyResource?
        public var problems: [String]
        /// The `metadata.resourceVersion` the document carries: apply writes only if it is still the stored one.
        public var resourceVersion: String?
    }

    /// Every document in `path` (a file, a directory walked recursively for `.yaml`/`.yml`/`.json`,
    /// or `-` for standard input).
    public static func read(_ path: String, rootKey: String) throws -> [Document] {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return documents(String(decoding: data, as: UTF8.self), source: "<stdin>", treeKey: nil, rootKey: rootKey)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(description: "\(path): no such file or directory")
        }
        var files = [path]
        if isDirectory.boolValue {
            let walker = FileManager.default.enumerator(atPath: path)
            files = (walker?.allObjects as? [String] ?? []).filter { file in [".yaml", ".yml", ".json"].contains { file.hasSuffix($0) } }
                .sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        return try files.flatMap { file -> [Document] in
            guard let data = FileManager.default.contents(atPath: file) else { throw ReadError(description: "\(file): cannot read it") }
            let key = DirectoryStore.key(forFile: file, rootKey: rootKey)
            let treeKey = (try? ResourceKey.parse(key, rootKey: rootKey).get())
            return documents(String(decoding: data, as: UTF8.self), source: file, treeKey: treeKey, rootKey: rootKey)
        }
    }

    static func documents(_ text: String, source: String, treeKey: ResourceKey?, rootKey: String) -> [Document] {
        var parts: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces) == "---" {
                parts.append(current.joined(separator: "\n"))
                current = []
            } else {
                current.append(line)
            }
        }
        parts.append(current.joined(separator: "\n"))
        return parts.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || parts.count == 1 }.enumerated().map { index, part in
            document(part, source: parts.count > 1 ? "\(source) (document \(index + 1))" : source, treeKey: treeKey, rootKey: rootKey)
        }
    }

    static func document(_ text: String, source: String, treeKey: ResourceKey?, rootKey: String) -> Document {
        let tree: ConfigValue
        switch ResourceCodec.parse(Array(text.utf8)) {
        case .success(let value): tree = value
        case .failure(let problem): return Document(source: source, resource: nil, problems: [problem.reason])
        }
        var value = tree
        var key = treeKey
        var resourceVersion: String?
        if case .string(let version)? = tree["metadata"]?["resourceVersion"], !version.isEmpty { resourceVersion = version }
        if case .string(let apiVersion)? = tree["apiVersion"], case .string(let kindName)? = tree["kind"] {
            let parts = apiVersion.split(separator: "/").map(String.init)
            guard parts.count == 2, let kind = ResourceKind.find(group: parts[0], version: parts[1], name: kindName) else {
                return Document(source: source, resource: nil, problems: ["apiVersion \(apiVersion), kind \(kindName) is not a Gloo kind gloo-hashi knows"])
            }
            guard case .string(let name)? = tree["metadata"]?["name"], !name.isEmpty else {
                return Document(source: source, resource: nil, problems: ["metadata.name is required"])
            }
            var namespace = "gloo-system"
            if case .string(let given)? = tree["metadata"]?["namespace"], !given.isEmpty { namespace = given }
            key = ResourceKey(rootKey: rootKey, kind: kind, namespace: namespace, name: name)
            // The resource's fields are the spec's, next to its metadata (Gloo's values in Consul have no spec level).
            var entries = tree["spec"]?.entries ?? []
            entries.removeAll { $0.key == "metadata" }
            var metadata = tree["metadata"] ?? .map([])
            if case .map(var fields) = metadata {
                // What Kubernetes writes on every object (`kubectl get -o yaml`); Gloo's metadata has none of it.
                fields.removeAll { Self.kubernetesOnlyMetadata.contains($0.key) }
                if !fields.contains(where: { $0.key == "namespace" }) { fields.append(ConfigEntry("namespace", .string(namespace))) }
                metadata = .map(fields)
            }
            value = .map([ConfigEntry("metadata", metadata)] + entries)
        }
        guard let key else {
            return Document(source: source, resource: nil, problems: ["no apiVersion and kind, and the path does not name a key of a KV tree"])
        }
        let decoded = ResourceCodec.decodeAny(from: Array(value.yamlText().utf8), key: key)
        let problems = decoded.problems.map { $0.fieldPath.isEmpty ? $0.reason : "\($0.fieldPath): \($0.reason)" }
        return Document(source: source, resource: decoded.resource, problems: problems, resourceVersion: resourceVersion)
    }

    static let kubernetesOnlyMetadata: Set<String> = [
        "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp",
        "deletionGracePeriodSeconds", "finalizers",
    ]

    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }
}
