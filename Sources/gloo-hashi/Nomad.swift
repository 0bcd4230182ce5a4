import ArgumentParser
import Foundation
import GlooAPI
import NomadJobs
import Synchronization

/// `gloo-hashi nomad deploy|status`: the Nomad jobs of the deployment, from the terminal or CI.
struct Nomad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the Nomad jobs and show their state.",
        subcommands: [NomadDeploy.self, NomadStatus.self]
    )
}

/// How to reach Nomad, shared by the subcommands: the flag, else `NOMAD_ADDR` (and `NOMAD_TOKEN`,
/// `NOMAD_REGION`, `NOMAD_NAMESPACE`, `NOMAD_CACERT`...), else http://127.0.0.1:4646.
struct NomadConnection: ParsableArguments {
    @Option(help: "The Nomad agent, http(s)://HOST:PORT (env NOMAD_ADDR; the token from NOMAD_TOKEN).")
    var nomadAddress: String?

    func client() throws -> NomadHTTPClient {
        guard let configuration = NomadClientConfiguration.fromEnvironment(address: nomadAddress) else {
            throw ValidationError("Nomad address '\(nomadAddress ?? ProcessInfo.processInfo.environment["NOMAD_ADDR"] ?? "")' "
                + "(\(nomadAddress != nil ? "--nomad-address" : "NOMAD_ADDR")) is not host:port or a URL")
        }
        return try NomadHTTPClient(configuration)
    }
}

/// `gloo-hashi nomad deploy [--var k=v]... [--var-file F] [--detach] [JOBFILE]...`.
struct NomadDeploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Register job files with Nomad and follow their deployments.",
        discussion: """
            Each JOBFILE (default: every *.nomad.hcl in nomad/) is parsed by Nomad itself (/v1/jobs/parse, with the
            variables), registered, and its deployment followed until it succeeds (exit 0) or fails (exit 1, with the
            failing allocations' task events). Progress is one line per task group, redrawn in place on a terminal.

            Example:
              gloo-hashi nomad deploy --var count=3 --var 'datacenters=["dc1","dc2"]' nomad/gloo-hashi.nomad.hcl
            """
    )

    @OptionGroup var connection: NomadConnection

    @Option(name: .customLong("var"), help: "A job variable, NAME=VALUE (repeatable).")
    var variables: [String] = []

    @Option(help: "A file of job variables (HCL: name = value).")
    var varFile: String?

    @Flag(help: "Return once the jobs are registered, without following the deployments.")
    var detach = false

    @Argument(help: "Job files (default: nomad/*.nomad.hcl).")
    var jobFiles: [String] = []

    func run() async throws {
        let files = jobFiles.isEmpty ? Self.defaultFiles() : jobFiles
        guard !files.isEmpty else { throw ValidationError("no job files given and none found in nomad/") }
        let fileText = try varFile.map { path in
            do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ValidationError("cannot read --var-file \(path): \(error.localizedDescription)")
            }
        }
        let variableText = try DeploymentProgress.variables(variables, file: fileText)
        let client = try connection.client()
        let terminal = isatty(STDOUT_FILENO) == 1
        let drawn = LinesOnScreen()
        let output = NomadDeployer.Output(
            line: { text in
                drawn.reset()
                print(text)
            },
            progress: { lines in
                if terminal { drawn.redraw(lines) } else { for line in drawn.changed(lines) { print("    \(line)") } }
            })
        let succeeded: Bool
        do {
            succeeded = try await NomadDeployer(client: client).deploy(files: files, variables: variableText, detach: detach, output: output)
        } catch {
            await client.shutdown()
            throw ValidationError("\(error)")
        }
        await client.shutdown()
        if !succeeded { throw ExitCode(1) }
    }

    static func defaultFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "nomad")) ?? []
        return names.filter { $0.hasSuffix(".nomad.hcl") }.sorted().map { "nomad/" + $0 }
    }
}

/// The progress lines last shown: on a terminal the next ones replace them in place; elsewhere
/// only the lines that changed are printed again.
final class LinesOnScreen: Sendable {
    private let state = Mutex<(count: Int, previous: [String])>((0, []))

    func changed(_ lines: [String]) -> [String] {
        state.withLock { state in
            defer { state.previous = lines }
            return lines.filter { !state.previous.contains($0) }
        }
    }

    func redraw(_ lines: [String]) {
        state.withLock { state in
            // Up over the previous block, then each line cleared and written again.
            var text = state.count > 0 ? "\u{1B}[\(state.count)A" : ""
            for line in lines { text += "\u{1B}[2K\r    \(line)\n" }
            FileHandle.standardOutput.write(Data(text.utf8))
            state.count = lines.count
        }
    }

    func reset() { state.withLock { $0 = (0, []) } }
}

/// `gloo-hashi nomad status [-o table|json] [JOB]...`.
struct NomadStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the jobs, their latest deployments and the health of their allocations.",
        discussion: """
            One row per job and task group: the job's status, its latest deployment, and the group's desired, placed,
            healthy and unhealthy allocations and how many run. Without JOB, every job in the namespace.

            Example:
              gloo-hashi nomad status gloo-hashi gateway-proxy -o json
            """
    )

    enum Format: String, ExpressibleByArgument { case table, json }

    @OptionGroup var connection: NomadConnection

    @Option(name: .shortAndLong, help: "table or json.")
    var output: Format = .table

    @Argument(help: "Jobs to show (default: all).")
    var jobs: [String] = []

    func run() async throws {
        let client = try connection.client()
        let api = NomadJobsAPI(client: client)
        var rows: [[String: String]] = []
        do {
            let all = try await api.jobs()
            let wanted = jobs.isEmpty ? all : all.filter { jobs.contains($0.id) }
            for missing in Set(jobs).subtracting(all.map(\.id)).sorted() {
                rows.append(["job": missing, "status": "not registered"])
            }
            for job in wanted {
                let deployment = try await api.latestDeployment(job.id).deployment
                let allocations = try await api.allocations(job.id)
                let groups = Set(allocations.map(\.taskGroup)).union(deployment?.taskGroups.keys ?? [:].keys).sorted()
                for group in groups.isEmpty ? [""] : groups {
                    let state = deployment?.taskGroups[group]
                    let mine = allocations.filter { $0.taskGroup == group }
                    rows.append([
                        "job": job.id, "type": job.type, "status": job.status, "deployment": deployment?.status ?? "-", "group": group,
                        "desired": state.map { String($0.desiredTotal) } ?? "-", "placed": state.map { String($0.placedAllocs) } ?? "-",
                        "healthy": state.map { String($0.healthyAllocs) } ?? "-", "unhealthy": state.map { String($0.unhealthyAllocs) } ?? "-",
                        "running": String(mine.filter { $0.clientStatus == "running" }.count),
                    ])
                }
            }
        } catch {
            await client.shutdown()
            throw ValidationError("\(error)")
        }
        await client.shutdown()
        let columns = ["job", "type", "status", "deployment", "group", "desired", "placed", "healthy", "unhealthy", "running"]
        switch output {
        case .json:
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .table:
            let widths = columns.map { column in max(column.count, rows.map { ($0[column] ?? "").count }.max() ?? 0) }
            func line(_ values: [String]) -> String {
                zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces)
            }
            print(line(columns.map { $0.uppercased() }))
            for row in rows { print(line(columns.map { row[$0] ?? "" })) }
        }
    }
}
