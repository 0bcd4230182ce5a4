import Foundation
import GlooAPI

/// Reads Gloo's Settings YAML: `--settings FILE`, or Gloo's `--dir DIR` drop-in
/// (`DIR/<namespace>/default.yaml`). Accepts the stored form (metadata and fields at the top)
/// and the Kubernetes form (`apiVersion`, `kind`, `metadata`, `spec`).
public enum SettingsFile {
    /// A Settings file that was read, its path and the warnings about it.
    public struct Loaded: Sendable {
        public var settings: Settings
        public var path: String
        public var warnings: [String]
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The Settings named by the flags, if any.
    public static func load(_ flags: RunFlags) throws(LoadError) -> Loaded? {
        if let file = flags.settingsFile { return try load(path: file, namespace: flags.namespace) }
        if let directory = flags.settingsDir {
            let namespace = flags.namespace ?? "gloo-system"
            return try load(path: "\(directory)/\(namespace)/default.yaml", namespace: namespace)
        }
        return nil
    }

    /// Decodes the Settings at `path`; a value Gloo would reject is an error naming its field.
    public static func load(path: String, namespace: String?) throws(LoadError) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read the Settings file \(path)")
        }
        var tree: ConfigValue
        switch ResourceCodec.parse(Array(data)) {
        case .success(let value): tree = value
        case .failure(let problem): throw LoadError(description: "Settings file \(path): \(problem.reason)")
        }
        tree = unwrapKubernetesForm(tree)
        let metadata = tree["metadata"]
        func text(_ value: ConfigValue?) -> String? {
            if case .string(let text)? = value { return text }
            return nil
        }
        let name = text(metadata?["name"]) ?? "default"
        let space = text(metadata?["namespace"]) ?? namespace ?? "gloo-system"
        let key = ResourceKey(kind: .settings, namespace: space, name: name)
        let decoded = ResourceCodec.decode(Settings.self, from: tree, key: key)
        let describe = { (problem: FieldProblem) in problem.fieldPath.isEmpty ? problem.reason : "\(problem.fieldPath): \(problem.reason)" }
        guard let settings = decoded.resource else {
            throw LoadError(description: "Settings file \(path) is rejected: "
                + decoded.problems.filter { $0.severity == .error }.map(describe).joined(separator: "; "))
        }
        return Loaded(settings: settings, path: path, warnings: decoded.problems.map(describe))
    }

    /// `{apiVersion, kind: Settings, metadata, spec: {...}}` as the stored form `{metadata, ...}`.
    static func unwrapKubernetesForm(_ tree: ConfigValue) -> ConfigValue {
        guard case .map(let entries) = tree, let spec = tree["spec"], case .map(let specEntries) = spec else { return tree }
        let metadata = entries.filter { $0.key == "metadata" }
        return .map(metadata + specEntries)
    }
}
