import Foundation

/// How a deployment is going, as `gloo-hashi nomad deploy` shows it: one line per task group and
/// the outcome. Pure.
public enum DeploymentProgress {
    public enum Outcome: Hashable, Sendable {
        case running
        case succeeded
        case failed(String)
    }

    /// `gloo  placed 2/2  healthy 1/2  unhealthy 0`, one per group, sorted.
    public static func lines(_ deployment: NomadDeployment) -> [String] {
        let width = deployment.taskGroups.keys.map(\.count).max() ?? 0
        return deployment.taskGroups.keys.sorted().map { name in
            let group = deployment.taskGroups[name]!
            return name.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  placed \(group.placedAllocs)/\(group.desiredTotal)  healthy \(group.healthyAllocs)/\(group.desiredTotal)"
                + "  unhealthy \(group.unhealthyAllocs)"
        }
    }

    public static func outcome(_ deployment: NomadDeployment) -> Outcome {
        switch deployment.status {
        case "successful": .succeeded
        case "failed", "cancelled": .failed(deployment.statusDescription.isEmpty ? deployment.status : deployment.statusDescription)
        default: .running
        }
    }

    /// What went wrong in the allocations that failed or were found unhealthy: their task events.
    public static func failures(_ allocations: [NomadAllocation]) -> [String] {
        allocations.filter { $0.clientStatus == "failed" || $0.healthy == false }.flatMap { allocation in
            allocation.taskStates.keys.sorted().flatMap { task in
                allocation.taskStates[task]!.events.map {
                    "allocation \(allocation.id.prefix(8)) (\(allocation.taskGroup)/\(task)): \($0.type): \($0.displayMessage)"
                }
            }
        }
    }

    /// `-var k=v` values and a `-var-file`'s text as the HCL variable text `/v1/jobs/parse` takes:
    /// values are strings unless they are lists, objects, numbers or booleans.
    public static func variables(_ assignments: [String], file: String?) throws -> String {
        var lines = file.map { [$0] } ?? []
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw NomadError.malformed(path: "--var", cause: "'\(assignment)' is not NAME=VALUE")
            }
            let name = assignment[..<equals].trimmingCharacters(in: .whitespaces)
            let value = String(assignment[assignment.index(after: equals)...])
            let raw = value.hasPrefix("[") || value.hasPrefix("{") || value.hasPrefix("\"") || Double(value) != nil
                || value == "true" || value == "false"
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            lines.append("\(name) = \(raw ? value : "\"\(escaped)\"")")
        }
        return lines.joined(separator: "\n")
    }
}
