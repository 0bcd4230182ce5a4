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
    private let resources: ResourceBackend
    private let vaultBackend: VaultBackend?

    private init(resources: ResourceBackend, vault: VaultBackend?, configuration: RunConfiguration) {
        self.resources = resources
        self.vaultBackend = vault
        self.store = resources.store
        self.vault = vault?.secrets
        self.rootKey = configuration.rootKey
        self.statusNamespace = configuration.statusNamespace
        self.location = resources.location
    }

    /// Opens the configured stores; with Vault, logs in (token, token file or AppRole) first.
    public static func open(_ configuration: RunConfiguration, logger: Logger) async throws -> OperatorBackends {
        let resources = try ResourceBackend.open(configuration, logger: logger)
        let vault: VaultBackend?
        do {
            vault = try VaultBackend.open(configuration, logger: logger)
        } catch {
            await resources.shutdown()
            throw error
        }
        do {
            try await vault?.authentication.start()
        } catch {
            await vault?.shutdown()
            await resources.shutdown()
            throw error
        }
        return OperatorBackends(resources: resources, vault: vault, configuration: configuration)
    }

    public func shutdown() async {
        await resources.shutdown()
        await vaultBackend?.shutdown()
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
