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
                    try? await self.kv.client.timeline.sleep(for: failures > 0 ? .seconds(1) : self.refresh)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One pass (what the watch does every `refresh`): a LIST per namespace (only the namespaces
    /// of referenced secrets when those are known), a metadata read per secret, and a data read
    /// only for a secret whose version changed; reads run eight at a time.
    public func scan() async throws -> SecretListing {
        let version = try await kvVersion()
        let (referenced, known) = state.withLock { ($0.referenced, $0.known) }
        let kv = kv
        let layout = layout
        let namespaces: [String] = if let referenced {
            Set(referenced.map(\.namespace)).sorted()
        } else {
            try await kv.list(mount: layout.pathPrefix, folder: layout.secretFolder(), version: version)
                .filter { $0.hasSuffix("/") }.map { String($0.dropLast()) }
        }
        let listed = try await namespaces.concurrentMap(limit: Self.concurrentReads) { namespace in
            try await kv.list(mount: layout.pathPrefix, folder: layout.secretFolder(namespace: namespace), version: version)
                .filter { !$0.hasSuffix("/") }.map { ResourceRef(name: $0, namespace: namespace) }
        }
        let refs = listed.joined().filter { ref in referenced.map { $0.contains(ref) } ?? true }.sorted()
        // Per secret: the data to decode (nil: unchanged since `known`, or absent) and its version.
        let reads = try await refs.concurrentMap(limit: Self.concurrentReads) { ref -> (data: Data?, version: Int, present: Bool) in
            let path = layout.secretPath(ref)
            if version == 1 {
                let data = try await kv.readV1(mount: layout.pathPrefix, path: path)
                return (data, 1, data != nil)
            }
            guard let metadata = try await kv.metadata(mount: layout.pathPrefix, path: path),
                  metadata.liveVersions.contains(metadata.currentVersion)
            else { return (nil, 0, false) }
            if known[ref]?.metadata.resourceVersion == String(metadata.currentVersion) { return (nil, metadata.currentVersion, true) }
            guard let entry = try await kv.read(mount: layout.pathPrefix, path: path) else { return (nil, 0, false) }
            return (entry.data, entry.version, true)
        }
        var secrets: [Secret] = []
        var findings: [Finding] = []
        var kept: [ResourceRef: Secret] = [:]
        for (ref, read) in zip(refs, reads) where read.present {
            guard let data = read.data else {
                if let old = known[ref] {
                    secrets.append(old)
                    kept[ref] = old
                }
                continue
            }
            let key = ResourceKey(rootKey: layout.rootKey, kind: .secret, namespace: ref.namespace, name: ref.name)
            let decoded = VaultSecretDecoder.decode(data, key: key, version: read.version)
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

    /// Vault reads in flight at once during a scan.
    static let concurrentReads = 8

    /// The KV version of the mount the secrets live on (asked once).
    func kvVersion() async throws -> Int {
        if let known = state.withLock({ $0.mountVersion }) { return known }
        let version = try await kv.mountVersion(of: layout.pathPrefix + "/")
        state.withLock { $0.mountVersion = version }
        return version
    }
}
