import Foundation
import Testing

/// Runs the built `gloo-hashi` binary as users do.
enum GlooHashiBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The binary `swift build` produced (override with GLOO_HASHI_BINARY).
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["GLOO_HASHI_BINARY"] { return path }
        let candidates = [".build/debug/gloo-hashi", ".build/release/gloo-hashi"].map { packageRoot + "/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary, "build gloo-hashi first"))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
