import Foundation

/// `gloo-hashi-bench [--quick]`: the scale scenarios, printed as one table (BENCHMARKS.md).
@main
struct Bench {
    static func main() async throws {
        let quick = CommandLine.arguments.contains("--quick")
        let size: ScaleGenerator.Size = quick ? .quick : .full
        print("gloo-hashi benchmarks (\(quick ? "quick" : "full") sizes), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let (translationRows, snapshot) = try TranslationScenario.run(size, fullRuns: quick ? 3 : 5, edits: quick ? 20 : 100)
        print(Measurement.table(translationRows))
        let xdsRows = try await XDSScenario.run(snapshot: snapshot, streams: quick ? 10 : 100, changes: quick ? 10 : 100,
                                                sizeLabel: size.description)
        print(Measurement.table(translationRows + xdsRows))
    }
}
