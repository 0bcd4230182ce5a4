import Foundation
import GlooAPI
import Synchronization

/// Gloo's Secrets in Vault (`SecretStore`, REFERENCE.md section 5): KV v2 under
/// `<pathPrefix>/data/<rootKey>/gloo.solo.io/v1/Secret/<namespace>/<name>`, or a KV v1 mount
/// (found from `sys/internal/ui/mounts`). Change detection that scales: every `refresh`, a LIST
/// per namespace and a metadata read per secret, and a data read only for secrets whose version
/// changed (Gloo re-read every secret's data every minute); with `referenced` set, only those
/// secrets are read. A value that does not decode is reported and its last good version kept.
public final class VaultSecretStore: SecretStore {
    public let kv: VaultKV
    public let layout: GlooVaultLayout
    public let refresh: Duration
    private let state = Mutex<(referenced: Set<ResourceRef>?, known: [ResourceRef: Secret], mountVersion: Int?)>((nil, [:], nil))

    public init(client: VaultHTTPClient, layout: GlooVaultLayout = GlooVaultLayout(), refresh: Duration = .seconds(10)) {
        self.kv = VaultKV(client: client)
        self.layout = layout
        self.refresh = refresh
    }

    /// Only these secrets are read from now on (nil: every secret under the root).
    public func setReferenced(_ refs: Set<ResourceRef>?) { state.withLock { $0.referenced = refs } }

    public func secret(_ ref: ResourceRef) async throws -> Secret? {
        let key = ResourceKey(rootKey: layout.rootKey, kind: .secret, namespace: ref.namespace, name: ref.name)
        if try await kvVersion() == 1 {
            guard let data = try await kv.readV1(mount: layout.pathPrefix, path: layout.secretPath(ref)) else { return nil }
            return VaultSecretDecoder.decode(data, key: key, version: 1).resource
        }
        guard let entry = try await kv.read(mount: layout.pathPrefix, path: layout.secretPath(ref)) else { return nil }
        return VaultSecretDecoder.decode(entry.data, key: key, version: entry.version).resource
    }

    public func watchSecrets() -> AsyncThrowingStream<SecretListing, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var last: SecretListing?
                var failures = 0
                while !Task.isCancelled {
                    do {
                        let listing = try await self.scan()
                        failures = 0
                        if listing != last {
                            last = listing
                            continuation.yield(listing)
                        }
                    } catch {
                        if Task.isCancelled { break }
                        failures += 1
                        // A blip is retried here; a failure that persists ends the stream and the
                        // consumer keeps the last secrets while it watches again with its own backoff.
                        if failures > 2 {
                            continuation.finish(throwing: error)
                            return
                        }
                    }
                    try? await Task.sleep(for: failures > 0 ? .seconds(1) : self.refresh)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One pass: every (or every referenced) secret, its data read only when its version changed.
    func scan() async throws -> SecretListing {
        let version = try await kvVersion()
        let (referenced, known) = state.withLock { ($0.referenced, $0.known) }
        var refs: [ResourceRef] = []
        for namespace in try await kv.list(mount: layout.pathPrefix, folder: layout.secretFolder(), version: version)
        where namespace.hasSuffix("/") {
            let name = String(namespace.dropLast())
            for entry in try await kv.list(mount: layout.pathPrefix, folder: layout.secretFolder(namespace: name), version: version)
            where !entry.hasSuffix("/") {
                let ref = ResourceRef(name: entry, namespace: name)
                if referenced.map({ $0.contains(ref) }) ?? true { refs.append(ref) }
            }
        }
        var secrets: [Secret] = []
        var findings: [Finding] = []
        var kept: [ResourceRef: Secret] = [:]
        for ref in refs.sorted() {
            let key = ResourceKey(rootKey: layout.rootKey, kind: .secret, namespace: ref.namespace, name: ref.name)
            let decoded: ResourceCodec.Decoded<Secret>
            if version == 1 {
                guard let data = try await kv.readV1(mount: layout.pathPrefix, path: layout.secretPath(ref)) else { continue }
                decoded = VaultSecretDecoder.decode(data, key: key, version: 1)
            } else {
                guard let metadata = try await kv.metadata(mount: layout.pathPrefix, path: layout.secretPath(ref)),
                      metadata.liveVersions.contains(metadata.currentVersion)
                else { continue }
                if let old = known[ref], old.metadata.resourceVersion == String(metadata.currentVersion) {
                    secrets.append(old)
                    kept[ref] = old
                    continue
                }
                guard let entry = try await kv.read(mount: layout.pathPrefix, path: layout.secretPath(ref)) else { continue }
                decoded = VaultSecretDecoder.decode(entry.data, key: key, version: entry.version)
            }
            for problem in decoded.problems { findings.append(Finding(key: key.key, problem)) }
            if let secret = decoded.resource {
                secrets.append(secret)
                kept[ref] = secret
            } else if let old = known[ref] {
                // The last good version keeps serving; the finding says why the new one is not used.
                secrets.append(old)
                kept[ref] = old
            }
        }
        state.withLock { $0.known = kept }
        return SecretListing(secrets: secrets, findings: findings)
    }

    /// The KV version of the mount the secrets live on (asked once).
    func kvVersion() async throws -> Int {
        if let known = state.withLock({ $0.mountVersion }) { return known }
        let version = try await kv.mountVersion(of: layout.pathPrefix + "/")
        state.withLock { $0.mountVersion = version }
        return version
    }
}
