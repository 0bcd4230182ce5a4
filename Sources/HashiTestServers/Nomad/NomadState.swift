import Foundation

/// The Nomad test server's state: one Raft-like index, native service registrations, jobs with
/// their deployments and allocations, the deployment schedule the test sets, and a request log.
actor NomadState: BlockingQueryHost {
    struct Registration: Sendable {
        var id: String
        var service: String
        var namespace: String
        var address: String
        var port: Int
        var tags: [String]
        var allocID: String
        var jobID: String
        var createIndex: UInt64
        var modifyIndex: UInt64
    }

    struct GroupProgress: Sendable {
        var desired: Int
        var placed = 0
        var healthy = 0
        var unhealthy = 0
    }

    struct Deployment: Sendable {
        var id: String
        var jobID: String
        var status = "running"
        var description = "Deployment is running"
        var groups: [String: GroupProgress]
        var modifyIndex: UInt64
        /// The job's modify index this deployment was made for.
        var jobModifyIndex: UInt64
        /// Whether this deployment ends in failure (the schedule the test set when it began).
        var fails: Bool
    }

    struct Allocation: Sendable {
        var id: String
        var jobID: String
        var group: String
        var clientStatus: String
        var healthy: Bool?
        var events: [(type: String, message: String)]
        var modifyIndex: UInt64
    }

    struct Job: Sendable {
        var id: String
        var json: Data
        var groups: [(name: String, count: Int)]
        var version: Int
        var modifyIndex: UInt64
        var type: String
    }

    private(set) var index: UInt64 = 10
    var registrations: [String: Registration] = [:]
    var jobs: [String: Job] = [:]
    var deployments: [String: Deployment] = [:]
    var allocations: [String: Allocation] = [:]
    var evaluations: [String: (jobID: String, index: UInt64)] = [:]
    var requests: [(method: String, path: String)] = []
    /// What the next deployments do: succeed or fail, one step every `step`.
    var schedule: (fails: Bool, step: Duration) = (false, .milliseconds(200))
    var token: String?
    var parked = ParkedQueries()

    func log(_ method: String, _ path: String) { requests.append((method, path)) }

    func bump() -> UInt64 {
        index += 1
        parked.wakeAll()
        return index
    }

    /// Stops the server's blocking queries: parked ones return at once.
    func shutdown() { parked.stop() }

    func setToken(_ token: String?) { self.token = token }
    func setSchedule(fails: Bool, step: Duration) { schedule = (fails, step) }

    // MARK: Services

    func register(_ registration: Registration) {
        var item = registration
        let now = bump()
        item.createIndex = registrations[item.id]?.createIndex ?? now
        item.modifyIndex = now
        registrations[item.id] = item
    }

    func deregister(id: String) {
        guard registrations.removeValue(forKey: id) != nil else { return }
        _ = bump()
    }

    /// The index of the newest change to `service` (any service: nil), or of its removal.
    func services(namespace: String) -> [String: [String]] {
        var tags: [String: Set<String>] = [:]
        for registration in registrations.values where registration.namespace == namespace {
            tags[registration.service, default: []].formUnion(registration.tags)
        }
        return tags.mapValues { $0.sorted() }
    }

    func instances(_ service: String, namespace: String) -> [Registration] {
        registrations.values.filter { $0.service == service && $0.namespace == namespace }.sorted { $0.id < $1.id }
    }

    // MARK: Jobs

    /// Registers (or updates) a job and starts its deployment on the current schedule; returns the evaluation ID.
    func registerJob(id: String, json: Data, groups: [(String, Int)], type: String) -> (eval: String, index: UInt64) {
        let now = bump()
        let version = (jobs[id]?.version ?? -1) + 1
        jobs[id] = Job(id: id, json: json, groups: groups.map { ($0.0, $0.1) }, version: version, modifyIndex: now, type: type)
        let eval = UUID().uuidString.lowercased()
        evaluations[eval] = (id, now)
        if type == "service" {
            let deployment = Deployment(
                id: UUID().uuidString.lowercased(), jobID: id,
                groups: Dictionary(uniqueKeysWithValues: groups.map { ($0.0, GroupProgress(desired: $0.1)) }), modifyIndex: now,
                jobModifyIndex: now, fails: schedule.fails)
            deployments[id] = deployment
        }
        return (eval, now)
    }

    func deleteJob(_ id: String) {
        guard jobs.removeValue(forKey: id) != nil else { return }
        deployments[id] = nil
        for (key, allocation) in allocations where allocation.jobID == id { allocations[key] = nil }
        _ = bump()
    }

    /// One step of every running deployment: place an allocation per group, then mark one
    /// healthy (or, for a failing deployment, unhealthy, which fails the deployment).
    func step() {
        for (jobID, deployment) in deployments where deployment.status == "running" {
            var updated = deployment
            for name in updated.groups.keys.sorted() {
                var group = updated.groups[name]!
                if group.placed < group.desired {
                    group.placed += 1
                    let id = UUID().uuidString.lowercased()
                    allocations[id] = Allocation(id: id, jobID: jobID, group: name, clientStatus: "pending", healthy: nil,
                                                 events: [("Received", "Task received by client")], modifyIndex: bump())
                } else if group.healthy + group.unhealthy < group.desired,
                          let pending = allocations.values.filter({ $0.jobID == jobID && $0.group == name && $0.healthy == nil })
                              .sorted(by: { $0.id < $1.id }).first
                {
                    var allocation = pending
                    if deployment.fails {
                        allocation.clientStatus = "failed"
                        allocation.healthy = false
                        allocation.events += [("Driver Failure", "Failed to pull `registry.example/missing:1`: manifest unknown"),
                                              ("Not Restarting", "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"")]
                        group.unhealthy += 1
                        updated.status = "failed"
                        updated.description = "Failed due to unhealthy allocations"
                    } else {
                        allocation.clientStatus = "running"
                        allocation.healthy = true
                        allocation.events += [("Started", "Task started by client")]
                        group.healthy += 1
                    }
                    allocation.modifyIndex = bump()
                    allocations[allocation.id] = allocation
                }
                updated.groups[name] = group
            }
            if updated.status == "running", updated.groups.values.allSatisfy({ $0.healthy == $0.desired }) {
                updated.status = "successful"
                updated.description = "Deployment completed successfully"
            }
            updated.modifyIndex = bump()
            deployments[jobID] = updated
        }
    }
}
