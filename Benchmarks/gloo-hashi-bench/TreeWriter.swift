import Foundation
import GlooAPI

/// Writes a generated configuration as a KV tree on disk (`<dir>/<key>.yaml`, Gloo's layout),
/// for `gloo-hashi run --config-dir` and whole-system scenarios.
enum TreeWriter {
    static func write(_ snapshot: ApiSnapshot, to directory: String) throws -> Int {
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
        try write(snapshot.endpoints + resources.endpoints)
        return written
    }
}
