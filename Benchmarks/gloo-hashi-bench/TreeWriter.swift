import Foundation
import GlooAPI

/// Writes a generated configuration as a KV tree on disk (`<dir>/<key>.yaml`, Gloo's layout),
/// for `gloo-hashi run --config-dir` and whole-system scenarios.
enum TreeWriter {
    /// Writes every resource; `endpoints: false` leaves out the Endpoints (in production they are
    /// discovered, not stored, and 100,000 files make a directory scan the slowest step).
    static func write(_ snapshot: ApiSnapshot, to directory: String, endpoints: Bool = true) throws -> Int {
        var written = 0
        func write<R: Resource>(_ resources: [R]) throws {
            for resource in resources {
                let key = ResourceKey(kind: R.kind, namespace: resource.metadata.namespace, name: resource.metadata.name).key
                let url = URL(fileURLWithPath: directory).appendingPathComponent(key + ".yaml")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(ResourceCodec.yaml(resource).utf8).write(to: url)
                written += 1
            }
        }
        let resources = snapshot.resources
        try write(resources.upstreams)
        try write(resources.upstreamGroups)
        try write(resources.gateways)
        try write(resources.virtualServices)
        try write(resources.routeTables)
        try write(resources.secrets)
        if endpoints { try write(snapshot.endpoints + resources.endpoints) }
        return written
    }
}
