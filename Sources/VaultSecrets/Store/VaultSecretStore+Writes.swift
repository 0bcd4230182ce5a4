import Foundation
import GlooAPI

extension VaultSecretStore {
    /// Creates or updates a Secret in Gloo's layout with check-and-set on its `resourceVersion`
    /// (empty: create only) and returns it with its new version. KV v1 has no versions: a create
    /// fails when the secret exists, an update overwrites.
    public func put(_ secret: Secret) async throws -> Secret {
        let key = ResourceKey(rootKey: layout.rootKey, kind: .secret, namespace: secret.metadata.namespace, name: secret.metadata.name)
        let problems = secret.semanticProblems().filter { $0.severity == .error }
        guard problems.isEmpty else { throw StoreError.invalid(key: key.key, findings: problems.map { Finding(key: key.key, $0) }) }
        let body = try JSONSerialization.jsonObject(with: Data(ResourceCodec.json(secret, pretty: false).utf8)) as? [String: Any] ?? [:]
        let path = layout.secretPath(secret.ref)
        let expected = secret.metadata.resourceVersion
        var stored = secret
        do {
            if try await kvVersion() == 1 {
                if expected.isEmpty, try await kv.readV1(mount: layout.pathPrefix, path: path) != nil {
                    throw StoreError.conflict(key: key.key, expected: "", actual: "1")
                }
                try await kv.writeV1(mount: layout.pathPrefix, path: path, data: body)
                stored.metadata.resourceVersion = "1"
                return stored
            }
            let version = try await kv.write(mount: layout.pathPrefix, path: path, data: body, cas: Int(expected) ?? 0)
            stored.metadata.resourceVersion = String(version)
            return stored
        } catch where VaultKV.isCASMismatch(error) {
            let current = try? await kv.metadata(mount: layout.pathPrefix, path: path)
            throw StoreError.conflict(key: key.key, expected: expected, actual: current.map { String($0.currentVersion) } ?? "")
        }
    }

    /// Deletes a Secret (every KV v2 version and its metadata); with a `resourceVersion`, only
    /// while it is still the current version. Deleting what does not exist is `notFound`.
    public func delete(_ ref: ResourceRef, resourceVersion: String?) async throws {
        let key = ResourceKey(rootKey: layout.rootKey, kind: .secret, namespace: ref.namespace, name: ref.name)
        let path = layout.secretPath(ref)
        if try await kvVersion() == 1 {
            guard try await kv.readV1(mount: layout.pathPrefix, path: path) != nil else { throw StoreError.notFound(key: key.key) }
            try await kv.deleteV1(mount: layout.pathPrefix, path: path)
            return
        }
        guard let metadata = try await kv.metadata(mount: layout.pathPrefix, path: path) else { throw StoreError.notFound(key: key.key) }
        if let resourceVersion, !resourceVersion.isEmpty, resourceVersion != String(metadata.currentVersion) {
            throw StoreError.conflict(key: key.key, expected: resourceVersion, actual: String(metadata.currentVersion))
        }
        // Vault has no check-and-set on delete: a write between the read above and this call is lost with the rest.
        try await kv.deleteAll(mount: layout.pathPrefix, path: path)
    }
}
