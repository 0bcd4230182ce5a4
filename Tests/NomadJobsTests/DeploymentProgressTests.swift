import Foundation
import Testing

@testable import NomadJobs

@Suite struct DeploymentProgressTests {
    @Test func variablesBecomeHCLText() throws {
        let text = try DeploymentProgress.variables(["count=3", "image=ghcr.io/x:1", #"datacenters=["dc1"]"#, "discovery=true", #"note=a "b""#],
                                                    file: "namespace = \"prod\"")
        #expect(text == #"""
            namespace = "prod"
            count = 3
            image = "ghcr.io/x:1"
            datacenters = ["dc1"]
            discovery = true
            note = "a \"b\""
            """#)
        #expect(throws: NomadError.self) { try DeploymentProgress.variables(["=x"], file: nil) }
    }

    @Test func linesOutcomeAndFailures() throws {
        let deployment = NomadDeployment(id: "d1", status: "failed", statusDescription: "Failed due to unhealthy allocations", taskGroups: [
            "gloo": .init(desiredTotal: 2, placedAllocs: 2, healthyAllocs: 1, unhealthyAllocs: 1),
            "discovery": .init(desiredTotal: 0, placedAllocs: 0, healthyAllocs: 0, unhealthyAllocs: 0),
        ])
        #expect(DeploymentProgress.lines(deployment) == [
            "discovery  placed 0/0  healthy 0/0  unhealthy 0",
            "gloo       placed 2/2  healthy 1/2  unhealthy 1",
        ])
        #expect(DeploymentProgress.outcome(deployment) == .failed("Failed due to unhealthy allocations"))
        var running = deployment
        running.status = "running"
        #expect(DeploymentProgress.outcome(running) == .running)
        let allocations = try JSONDecoder().decode([NomadAllocation].self, from: Data(#"""
            [{"ID": "abcdef0123", "TaskGroup": "gloo", "ClientStatus": "failed", "DeploymentStatus": {"Healthy": false},
              "TaskStates": {"gloo-hashi": {"State": "dead", "Failed": true,
                "Events": [{"Type": "Driver Failure", "DisplayMessage": "image not found"}]}}},
             {"ID": "0000000000", "TaskGroup": "gloo", "ClientStatus": "running", "DeploymentStatus": {"Healthy": true}}]
            """#.utf8))
        #expect(DeploymentProgress.failures(allocations) == ["allocation abcdef01 (gloo/gloo-hashi): Driver Failure: image not found"])
    }
}
