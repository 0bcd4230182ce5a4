import Foundation

/// A KV tree written to a fresh temporary directory for a test: `write(key, yaml)` puts the value
/// of `key` in `<dir>/<key>.yaml`, as the directory backend expects. Removed by `remove()`.
public struct KVTreeFixture: Sendable {
    public let directory: String

    public init(prefix: String = "gloo-hashi-test") throws {
        let path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        directory = path
    }

    /// Writes the value of `key` (`gloo/.../name`) as `<key>.<ext>`.
    @discardableResult
    public func write(_ key: String, _ text: String, ext: String = "yaml") throws -> String {
        try write(key, Data(text.utf8), ext: ext)
    }

    /// Writes raw bytes for `key`.
    @discardableResult
    public func write(_ key: String, _ data: Data, ext: String = "yaml") throws -> String {
        let path = "\(directory)/\(key).\(ext)"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Deletes the file of `key`.
    public func delete(_ key: String, ext: String = "yaml") throws {
        try FileManager.default.removeItem(atPath: "\(directory)/\(key).\(ext)")
    }

    /// Copies a whole tree (such as `examples/consul-kv`) into the fixture.
    public func copyTree(from source: String) throws {
        for item in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + item, toPath: directory + "/" + item)
        }
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
