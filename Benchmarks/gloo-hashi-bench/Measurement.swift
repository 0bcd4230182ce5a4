import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One row of the benchmark table.
struct BenchmarkRow {
    var scenario: String
    var size: String
    var samples: [Double]
    var note: String = ""

    var p50: Double { Measurement.percentile(samples, 0.50) }
    var p99: Double { Measurement.percentile(samples, 0.99) }
    var max: Double { samples.max() ?? 0 }
}

enum Measurement {
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let index = Int((Double(sorted.count - 1) * fraction).rounded(.up))
        return sorted[Swift.min(index, sorted.count - 1)]
    }

    /// Seconds `body` takes.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The process's peak resident set size, in MiB.
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if canImport(Darwin)
        return Double(usage.ru_maxrss) / 1_048_576
        #else
        return Double(usage.ru_maxrss) / 1024
        #endif
    }

    static func milliseconds(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

    /// The table every run prints.
    static func table(_ rows: [BenchmarkRow]) -> String {
        var lines = ["| scenario | size | p50 | p99 | max | peak RSS | note |", "|---|---|---|---|---|---|---|"]
        let rss = String(format: "%.0f MiB", peakRSSMiB())
        for row in rows {
            lines.append("| \(row.scenario) | \(row.size) | \(milliseconds(row.p50)) | \(milliseconds(row.p99)) | \(milliseconds(row.max)) | \(rss) | \(row.note) |")
        }
        return lines.joined(separator: "\n")
    }
}
