import Foundation
import HashiHTTP

/// `gloo-hashi nomad deploy`: parses each job file with Nomad (`/v1/jobs/parse`, variables passed
/// through), registers it, and follows its deployment (blocking queries on
/// `/v1/job/<id>/deployment`) until it succeeds or fails, reporting progress per task group and,
/// on failure, the failing allocations' task events.
public struct NomadDeployer: Sendable {
    /// Where the deployer reports: plain lines, and the progress lines of the job being followed
    /// (a terminal redraws them in place; elsewhere they are printed when they change).
    public struct Output: Sendable {
        public var line: @Sendable (String) -> Void
        public var progress: @Sendable ([String]) -> Void

        public init(line: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable ([String]) -> Void) {
            self.line = line
            self.progress = progress
        }
    }

    public let jobs: NomadJobsAPI
    /// How long to wait for a deployment to appear before looking at allocations instead (jobs
    /// without an update block, batch jobs).
    public var deploymentGrace: Duration = .seconds(10)
    /// The clock the grace and the look-again pauses run on.
    public var timeline = Timeline()

    public init(client: NomadHTTPClient, clock: any Clock<Duration> = ContinuousClock()) {
        self.jobs = NomadJobsAPI(client: client)
        timeline = Timeline(clock)
    }

    /// Deploys every file in order; returns whether all succeeded (with `detach`: were registered).
    public func deploy(files: [String], variables: String, detach: Bool, output: Output) async throws -> Bool {
        for file in files {
            let hcl: String
            do {
                hcl = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw NomadError.malformed(path: file, cause: ErrorCause("cannot read the job file: \(error.localizedDescription)", error: error))
            }
            let job = try await jobs.parse(hcl, variables: variables)
            let registration = try await jobs.register(job)
            output.line("==> \(file): job \(registration.jobID) registered (evaluation \(registration.evaluationID.prefix(8)))")
            if detach { continue }
            guard try await follow(registration, output: output) else { return false }
        }
        return true
    }

    /// Follows the deployment made for `registration`; true when it succeeded.
    func follow(_ registration: NomadJobsAPI.Registration, output: Output) async throws -> Bool {
        let started = timeline.now
        var index: UInt64?
        var shown: [String] = []
        while !Task.isCancelled {
            let (deployment, next) = try await jobs.latestDeployment(registration.jobID, index: index)
            index = max(next, 1)
            // A deployment made before this registration is not the one to follow.
            guard let deployment, deployment.jobModifyIndex == 0 || deployment.jobModifyIndex >= registration.jobModifyIndex else {
                if timeline.now - started > deploymentGrace { return try await allocationsOnly(registration.jobID, output: output) }
                // Not there yet: look again shortly rather than block for a whole wait.
                index = nil
                try await timeline.sleep(for: .milliseconds(500))
                continue
            }
            let lines = DeploymentProgress.lines(deployment)
            if lines != shown {
                output.progress(lines)
                shown = lines
            }
            switch DeploymentProgress.outcome(deployment) {
            case .running:
                continue
            case .succeeded:
                output.line("==> \(registration.jobID): deployment \(deployment.id.prefix(8)) successful")
                return true
            case .failed(let reason):
                output.line("==> \(registration.jobID): deployment \(deployment.id.prefix(8)) failed: \(reason)")
                for failure in DeploymentProgress.failures(try await jobs.allocations(registration.jobID)) { output.line("    \(failure)") }
                return false
            }
        }
        return false
    }

    /// A job without a deployment: it succeeded when its allocations run and none failed.
    private func allocationsOnly(_ jobID: String, output: Output) async throws -> Bool {
        let allocations = try await jobs.allocations(jobID)
        let failures = DeploymentProgress.failures(allocations)
        if failures.isEmpty, allocations.contains(where: { $0.clientStatus == "running" || $0.clientStatus == "complete" }) {
            output.line("==> \(jobID): no deployment (no update block); \(allocations.count) allocations placed, none failed")
            return true
        }
        output.line("==> \(jobID): no deployment, and its allocations are not running")
        for failure in failures { output.line("    \(failure)") }
        return false
    }
}
