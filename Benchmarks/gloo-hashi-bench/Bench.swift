import Foundation

/// `gloo-hashi-bench [--quick] [--scale F] [--translation-only] [--full-runs N] [--edits N] [--few-edits]
/// [--write-tree DIR [--without-endpoints]] [--consul-watch] [--consul-discovery [--changes N]] [--vault-secrets [--rotations N]] [--baseline-responses OUT --tree DIR --edit-dirs E1,E2,...]`:
/// the scale scenarios, printed as one table (BENCHMARKS.md).
@main
struct Bench {
    static func main() async throws {
        let quick = CommandLine.arguments.contains("--quick")
        var size: ScaleGenerator.Size = quick ? .quick : .full
        if let index = CommandLine.arguments.firstIndex(of: "--scale"), index + 1 < CommandLine.arguments.count,
           let scale = Double(CommandLine.arguments[index + 1])
        {
            // A fraction of the full sizes, to see how figures grow.
            let full = ScaleGenerator.Size.full
            size = .init(upstreams: Int(Double(full.upstreams) * scale), virtualServices: Int(Double(full.virtualServices) * scale),
                         routesPerService: full.routesPerService, routeTables: max(1, Int(Double(full.routeTables) * scale)),
                         endpoints: Int(Double(full.endpoints) * scale))
        }
        if let index = CommandLine.arguments.firstIndex(of: "--write-tree"), index + 1 < CommandLine.arguments.count {
            let count = try TreeWriter.write(ScaleGenerator.snapshot(size), to: CommandLine.arguments[index + 1],
                                             endpoints: !CommandLine.arguments.contains("--without-endpoints"))
            emit("wrote \(count) resources (\(size.description)) under \(CommandLine.arguments[index + 1])")
            return
        }
        if let output = argument("--baseline-responses"), let tree = argument("--tree") {
            let edits = argument("--edit-dirs").map { $0.split(separator: ",").map(String.init) } ?? []
            try await BaselineResponses.write(tree: tree, editDirectories: edits, to: output)
            return
        }
        if CommandLine.arguments.contains("--consul-discovery") {
            let size: DiscoveryScenario.Size = quick ? .quick : .full
            emit("consul discovery (\(size.description)), \(ProcessInfo.processInfo.activeProcessorCount) cores")
            emit(Measurement.table(try await DiscoveryScenario.run(size, changes: option("--changes") ?? (quick ? 20 : 200))))
            return
        }
        if CommandLine.arguments.contains("--vault-secrets") {
            let size: VaultScenario.Size = quick ? .quick : .full
            emit("vault secrets (\(size.description)), \(ProcessInfo.processInfo.activeProcessorCount) cores")
            emit(Measurement.table(try await VaultScenario.run(size, rotations: option("--rotations") ?? (quick ? 3 : 20))))
            return
        }
        if CommandLine.arguments.contains("--consul-watch") {
            emit(Measurement.table(try await ConsulWatchScenario.run(size, edits: option("--edits") ?? (quick ? 5 : 20))))
            return
        }
        emit("gloo-hashi benchmarks (\(quick ? "quick" : "full") sizes), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let (translationRows, snapshot) = try TranslationScenario.run(
            size, fullRuns: option("--full-runs") ?? (quick ? 3 : 5),
            edits: option("--edits") ?? (CommandLine.arguments.contains("--few-edits") ? 5 : (quick ? 20 : 100)))
        emit(Measurement.table(translationRows))
        if CommandLine.arguments.contains("--translation-only") { return }
        let xdsRows = try await XDSScenario.run(snapshot: snapshot, streams: quick ? 10 : 100, changes: quick ? 10 : 100,
                                                sizeLabel: size.description)
        emit(Measurement.table(translationRows + xdsRows))
    }
}

/// The integer after `name` on the command line (`--edits 20`), if any.
func option(_ name: String) -> Int? {
    argument(name).flatMap { Int($0) }
}

/// The text after `name` on the command line, if any.
func argument(_ name: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: name), index + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[index + 1]
}

/// Writes a line at once (stdout to a file is block-buffered and a long run shows nothing).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
