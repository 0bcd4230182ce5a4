import Foundation

/// Vault's KV secrets engine, both versions (REFERENCE.md section 5): v2 reads (a deleted or
/// destroyed version is absent), metadata, LIST (as `GET ?list=true`), check-and-set writes and
/// deletion of every version; v1 reads and writes; which version a mount is.
public struct VaultKV: Sendable {
    /// One KV v2 version: its `data` object as JSON and its number.
    public struct Entry: Sendable, Hashable {
        public var data: Data
        public var version: Int
    }

    /// What KV v2 keeps about a secret besides its data.
    public struct Metadata: Sendable, Hashable {
        public var currentVersion: Int
        /// Versions that are neither deleted nor destroyed.
        public var liveVersions: Set<Int>

        public init(currentVersion: Int, liveVersions: Set<Int>) {
            self.currentVersion = currentVersion
            self.liveVersions = liveVersions
        }
    }

    public let client: VaultHTTPClient

    public init(client: VaultHTTPClient) { self.client = client }

    /// The KV version (1 or 2) of the mount `path` is under.
    public func mountVersion(of path: String) async throws -> Int {
        let answer = try await client.send(.GET, "sys/internal/ui/mounts/" + path)
        let options = (answer.json["data"] as? [String: Any])?["options"] as? [String: Any]
        return (options?["version"] as? String).flatMap(Int.init) ?? 1
    }

    /// The current (or `version`) data of a KV v2 secret; nil when missing, deleted or destroyed.
    public func read(mount: String, path: String, version: Int? = nil) async throws -> Entry? {
        let location = "\(mount)/data/\(path)"
        let answer = try await client.send(.GET, location, query: version.map { [("version", String($0))] } ?? [], accept: [200, 404])
        guard answer.status == 200, let outer = answer.json["data"] as? [String: Any], let data = outer["data"] as? [String: Any],
              let metadata = outer["metadata"] as? [String: Any], let number = metadata["version"] as? Int
        else { return nil }
        return Entry(data: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), version: number)
    }

    /// A KV v2 secret's versions; nil when it has none.
    public func metadata(mount: String, path: String) async throws -> Metadata? {
        let answer = try await client.send(.GET, "\(mount)/metadata/\(path)", accept: [200, 404])
        guard answer.status == 200, let data = answer.json["data"] as? [String: Any], let current = data["current_version"] as? Int else {
            return nil
        }
        var live: Set<Int> = []
        for (number, value) in data["versions"] as? [String: Any] ?? [:] {
            guard let version = Int(number), let info = value as? [String: Any] else { continue }
            if (info["deletion_time"] as? String ?? "").isEmpty, !(info["destroyed"] as? Bool ?? false) { live.insert(version) }
        }
        return Metadata(currentVersion: current, liveVersions: live)
    }

    /// The keys directly under `folder` (sub-folders end in `/`); empty when there are none.
    public func list(mount: String, folder: String, version: Int = 2) async throws -> [String] {
        let location = version == 2 ? "\(mount)/metadata/\(folder)" : "\(mount)/\(folder)"
        let answer = try await client.send(.GET, location, query: [("list", "true")], accept: [200, 404])
        return answer.status == 200 ? ((answer.json["data"] as? [String: Any])?["keys"] as? [String] ?? []) : []
    }

    /// Writes a new KV v2 version; with `cas`, only if the current version is `cas` (0: only
    /// when the secret does not exist). Returns the new version.
    public func write(mount: String, path: String, data: [String: Any], cas: Int? = nil) async throws -> Int {
        var body: [String: Any] = ["data": data]
        if let cas { body["options"] = ["cas": cas] }
        let answer = try await client.send(.POST, "\(mount)/data/\(path)", body: body)
        guard let version = (answer.json["data"] as? [String: Any])?["version"] as? Int else {
            throw VaultError.malformed(path: "\(mount)/data/\(path)", cause: "no version in the answer")
        }
        return version
    }

    /// Deletes every version of a KV v2 secret and its metadata.
    public func deleteAll(mount: String, path: String) async throws {
        _ = try await client.send(.DELETE, "\(mount)/metadata/\(path)", accept: [200, 204, 404])
    }

    /// A KV v1 value's fields as JSON; nil when missing.
    public func readV1(mount: String, path: String) async throws -> Data? {
        let answer = try await client.send(.GET, "\(mount)/\(path)", accept: [200, 404])
        guard answer.status == 200, let data = answer.json["data"] as? [String: Any] else { return nil }
        return try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys])
    }

    /// Writes a KV v1 value (v1 has no versions and no check-and-set).
    public func writeV1(mount: String, path: String, data: [String: Any]) async throws {
        _ = try await client.send(.POST, "\(mount)/\(path)", body: data)
    }

    /// Deletes a KV v1 value.
    public func deleteV1(mount: String, path: String) async throws {
        _ = try await client.send(.DELETE, "\(mount)/\(path)", accept: [200, 204, 404])
    }

    /// Whether `error` is KV v2 refusing a write because `cas` did not match.
    public static func isCASMismatch(_ error: any Error) -> Bool {
        guard case .http(400, _, _, let errors) = error as? VaultError else { return false }
        return errors.contains { $0.contains("check-and-set") }
    }
}
