import GlooAPI

/// Gloo's secret layout in a Vault KV v2 mount:
/// `<pathPrefix>/data/<rootKey>/gloo.solo.io/v1/Secret/<namespace>/<name>` (REFERENCE.md section 5).
public struct GlooVaultLayout: Hashable, Sendable {
    /// The KV v2 mount (Gloo's `pathPrefix`), default `secret`.
    public var pathPrefix: String
    /// Gloo's `rootKey`, default `gloo`.
    public var rootKey: String

    public init(pathPrefix: String = "secret", rootKey: String = ResourceKey.defaultRootKey) {
        self.pathPrefix = pathPrefix.trimmingSlashes
        self.rootKey = rootKey.trimmingSlashes
    }

    /// The path below the mount that holds one secret.
    public func secretPath(_ ref: ResourceRef) -> String {
        "\(rootKey)/\(ResourceKind.secret.keySegment)/\(ref.namespace)/\(ref.name)"
    }

    /// The folder below the mount that holds every namespace's secrets, or one namespace's.
    public func secretFolder(namespace: String? = nil) -> String {
        "\(rootKey)/\(ResourceKind.secret.keySegment)/" + (namespace.map { "\($0)/" } ?? "")
    }

    /// The API path to read or write a secret's data (`/v1/<mount>/data/...`).
    public func dataPath(_ ref: ResourceRef) -> String { "/v1/\(pathPrefix)/data/\(secretPath(ref))" }

    /// The API path of a secret's metadata (LIST of a folder, DELETE of all versions).
    public func metadataPath(_ ref: ResourceRef) -> String { "/v1/\(pathPrefix)/metadata/\(secretPath(ref))" }

    /// The API path to LIST the namespaces (or, with a namespace, the names) of secrets.
    public func listPath(namespace: String? = nil) -> String {
        "/v1/\(pathPrefix)/metadata/\(secretFolder(namespace: namespace))"
    }
}

extension String {
    var trimmingSlashes: String {
        var text = Substring(self)
        while text.hasPrefix("/") { text = text.dropFirst() }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
