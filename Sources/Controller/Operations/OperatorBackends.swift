import ConsulStore
import Foundation
import GlooAPI
import Logging
import VaultSecrets

/// The stores the operator commands (`get`, `apply`, `delete`, `route add`, `secret create`) work
/// on, opened from the same configuration `run` uses: Consul KV or a directory for resources,
/// Vault (when configured) for Secrets.
public final class OperatorBackends: Sendable {
    public let store: any ResourceStore
    /// Secrets in Vault; nil: Secrets live in the resource store (a directory).
    public let vault: VaultSecretStore?
    public let rootKey: String
    /// Whose statuses `get` shows (`namespacedStatuses.statuses.<this>`).
    public let statusNamespace: String
    /// `consul http://...` or `directory DIR`, for messages.
    public let location: String
    private let consul: ConsulHTTPClient?
    private let vaultClient: VaultHTTPClient?

    private init(store: any ResourceStore, vault: VaultSecretStore?, rootKey: String, statusNamespace: String, location: String,
                 consul: ConsulHTTPClient?, vaultClient: VaultHTTPClient?) {
        self.store = store
        self.vault = vault
        self.rootKey = rootKey
        self.statusNamespace = statusNamespace
        self.location = location
        self.consul = consul
        self.vaultClient = vaultClient
    }

    /// Opens the configured stores; with Vault, logs in (token, token file or AppRole) first.
    public static func open(_ configuration: RunConfiguration, logger: Logger) async throws -> OperatorBackends {
        let store: any ResourceStore
        var consul: ConsulHTTPClient?
        let location: String
        switch configuration.source {
        case .directory(let directory):
            store = DirectoryStore(directory: directory, rootKey: configuration.rootKey)
            location = "directory \(directory)"
        case .consul(let settings):
            let client = try ConsulHTTPClient(settings)
            consul = client
            store = ConsulKVStore(client: client, rootKey: configuration.rootKey)
            location = "consul \(settings.baseURL)"
        }
        var vault: VaultSecretStore?
        var vaultClient: VaultHTTPClient?
        if let settings = configuration.vault {
            let client = try VaultHTTPClient(settings.client)
            vaultClient = client
            do {
                try await VaultAuthentication(method: settings.credentials, client: client, logger: logger).start()
            } catch {
                await client.shutdown()
                await consul?.shutdown()
                throw error
            }
            vault = VaultSecretStore(client: client, layout: settings.layout)
        }
        return OperatorBackends(store: store, vault: vault, rootKey: configuration.rootKey, statusNamespace: configuration.statusNamespace,
                                location: location, consul: consul, vaultClient: vaultClient)
    }

    public func shutdown() async {
        await consul?.shutdown()
        await vaultClient?.shutdown()
    }

    /// Everything stored now, as one consistent listing (the watch's first answer).
    public func listing() async throws -> ResourceListing {
        for try await listing in store.watch() { return listing }
        throw StoreError.unavailable(backend: location, cause: "the store gave no listing")
    }

    /// The resources of `kind` in `namespace` (nil: all), sorted; Secrets from Vault when it is configured.
    public func resources(of kind: ResourceKind, namespace: String?) async throws -> [AnyResource] {
        if kind == .secret, let vault {
            let listing = try await vault.scan()
            return listing.secrets.filter { namespace == nil || $0.metadata.namespace == namespace }.map(AnyResource.init)
        }
        func open<R: Resource>(_ type: R.Type) async throws -> [AnyResource] {
            try await store.list(type, namespace: namespace).map(AnyResource.init)
        }
        return try await open(AnyResource.type(for: kind)).sorted { $0.metadata.ref < $1.metadata.ref }
    }

    /// Creates or updates with compare-and-set (the resource's `resourceVersion`; empty: create only).
    public func put(_ resource: AnyResource) async throws -> AnyResource {
        if case .secret(let secret) = resource, let vault { return AnyResource(try await vault.put(secret)) }
        func open<R: Resource>(_ value: R) async throws -> AnyResource { AnyResource(try await store.put(value)) }
        return try await open(resource.resource)
    }

    /// Deletes with compare-and-set on `resourceVersion` when given.
    public func delete(kind: ResourceKind, ref: ResourceRef, resourceVersion: String?) async throws {
        if kind == .secret, let vault { return try await vault.delete(ref, resourceVersion: resourceVersion) }
        func open<R: Resource>(_ type: R.Type) async throws { try await store.delete(type, ref, resourceVersion: resourceVersion) }
        try await open(AnyResource.type(for: kind))
    }

    /// The stored resource of `kind` named `ref`, if any.
    public func get(kind: ResourceKind, ref: ResourceRef) async throws -> AnyResource? {
        if kind == .secret, let vault { return try await vault.secret(ref).map(AnyResource.init) }
        func open<R: Resource>(_ type: R.Type) async throws -> AnyResource? { try await store.get(type, ref).map(AnyResource.init) }
        return try await open(AnyResource.type(for: kind))
    }
}
