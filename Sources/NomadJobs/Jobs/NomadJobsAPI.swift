import Foundation

/// Nomad's job endpoints (REFERENCE.md section 6): parse HCL2 with variables, register, list,
/// and a job's deployment and allocations.
public struct NomadJobsAPI: Sendable {
    /// What registering a job answered.
    public struct Registration: Hashable, Sendable {
        public var jobID: String
        public var evaluationID: String
        public var jobModifyIndex: UInt64
    }

    public let client: NomadHTTPClient

    public init(client: NomadHTTPClient) { self.client = client }

    /// The Job JSON for `hcl` with `variables` (HCL variable-file text, what `-var` feeds), as Nomad parses it.
    public func parse(_ hcl: String, variables: String) async throws -> Data {
        let body = try JSONSerialization.data(withJSONObject: ["JobHCL": hcl, "Variables": variables, "Canonicalize": true])
        let answer = try await client.send(.PUT, "jobs/parse", body: Array(body))
        return Data(answer.body)
    }

    /// Registers (or updates) the job `jobJSON` describes.
    public func register(_ jobJSON: Data) async throws -> Registration {
        guard let job = try? JSONSerialization.jsonObject(with: jobJSON) as? [String: Any], let id = job["ID"] as? String else {
            throw NomadError.malformed(path: "jobs/parse", cause: "the parsed job has no ID")
        }
        let body = try JSONSerialization.data(withJSONObject: ["Job": job])
        let answer = try await client.send(.PUT, "jobs", body: Array(body))
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]) ?? [:]
        return Registration(jobID: id, evaluationID: object["EvalID"] as? String ?? "",
                            jobModifyIndex: (object["JobModifyIndex"] as? NSNumber)?.uint64Value ?? answer.index)
    }

    /// Every job (in the client's namespace).
    public func jobs() async throws -> [NomadJobStub] {
        try NomadHTTPClient.decode([NomadJobStub].self, try await client.send(.GET, "jobs"), "jobs")
    }

    /// The job's latest deployment (nil: none yet), blocking past `index` when given.
    public func latestDeployment(_ jobID: String, index: UInt64? = nil) async throws -> (deployment: NomadDeployment?, index: UInt64) {
        let path = "job/\(jobID)/deployment"
        let answer = try await client.send(.GET, path, index: index)
        return (try NomadHTTPClient.decode(NomadDeployment?.self, answer, path), answer.index)
    }

    /// The job's allocations.
    public func allocations(_ jobID: String) async throws -> [NomadAllocation] {
        let path = "job/\(jobID)/allocations"
        return try NomadHTTPClient.decode([NomadAllocation].self, try await client.send(.GET, path), path)
    }
}
