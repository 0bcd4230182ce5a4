import Foundation
import Hummingbird
import NIOCore

/// The Nomad test server's request handling: routing, ACL checks, blocking queries and answers.
enum NomadAPI {
    static func handle(_ request: Request, state: NomadState) async -> Response {
        let path = String(request.uri.path.dropFirst("/v1/".count))
        let method = request.method.rawValue
        await state.log(method, request.uri.path)
        if let token = await state.token, request.headers[.init("X-Nomad-Token")!] != token {
            return text("Permission denied", status: .forbidden)
        }
        let query = request.uri.queryParameters
        let namespace = query["namespace"].map(String.init) ?? "default"
        let body = (try? await request.body.collect(upTo: 4 << 20)).map { Data(buffer: $0) } ?? Data()
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        let parts = path.split(separator: "/").map(String.init)
        switch (method, parts.first ?? "", parts.count) {
        case ("GET", "services", 1):
            let index = await block(request, state: state)
            let services = await state.services(namespace: namespace)
            let list: [[String: Any]] = services.isEmpty ? [] : [["Namespace": namespace, "Services": services.keys.sorted().map {
                ["ServiceName": $0, "Tags": services[$0]!] as [String: Any]
            }]]
            return json(list, index: index)
        case ("GET", "service", 2):
            let index = await block(request, state: state)
            let instances = await state.instances(parts[1], namespace: namespace).map { item -> [String: Any] in
                ["ID": item.id, "ServiceName": item.service, "Namespace": item.namespace, "NodeID": "node-1", "Datacenter": "dc1",
                 "JobID": item.jobID, "AllocID": item.allocID, "Tags": item.tags.isEmpty ? NSNull() : item.tags as Any,
                 "Address": item.address, "Port": item.port, "CreateIndex": item.createIndex, "ModifyIndex": item.modifyIndex]
            }
            return json(instances, index: index)
        case ("PUT", "jobs", 2) where parts[1] == "parse", ("POST", "jobs", 2) where parts[1] == "parse":
            guard let hcl = object["JobHCL"] as? String else { return text("missing JobHCL", status: .badRequest) }
            do {
                let parsed = try NomadJobParser.parse(hcl, variables: object["Variables"] as? String ?? "")
                return json(jobJSON(parsed), index: nil)
            } catch {
                return text("error parsing: \(error)", status: .badRequest)
            }
        case ("PUT", "jobs", 1), ("POST", "jobs", 1):
            guard let job = object["Job"] as? [String: Any], let id = job["ID"] as? String,
                  let groups = job["TaskGroups"] as? [[String: Any]], !groups.isEmpty
            else { return text("Job must have an ID and task groups", status: .badRequest) }
            let data = (try? JSONSerialization.data(withJSONObject: job)) ?? Data()
            let (eval, index) = await state.registerJob(
                id: id, json: data, groups: groups.map { ($0["Name"] as? String ?? "", $0["Count"] as? Int ?? 1) },
                type: job["Type"] as? String ?? "service")
            return json(["EvalID": eval, "EvalCreateIndex": index, "JobModifyIndex": index, "Warnings": ""], index: index)
        case ("GET", "jobs", 1):
            let index = await state.index
            let jobs = await state.jobs.values.sorted { $0.id < $1.id }
            let deployments = await state.deployments
            return json(jobs.map { job -> [String: Any] in
                ["ID": job.id, "Name": job.id, "Type": job.type, "Status": status(of: deployments[job.id]), "JobModifyIndex": job.modifyIndex,
                 "Version": job.version]
            }, index: index)
        case (_, "job", _) where parts.count >= 2:
            return await jobRequest(method, id: parts[1], rest: Array(parts.dropFirst(2)), request: request, state: state)
        case ("GET", "evaluation", 2):
            guard let eval = await state.evaluations[parts[1]] else { return text("eval not found", status: .notFound) }
            return json(["ID": parts[1], "JobID": eval.jobID, "Status": "complete", "CreateIndex": eval.index], index: eval.index)
        default:
            return text("Invalid method or path", status: .notFound)
        }
    }

    private static func jobRequest(
        _ method: String, id: String, rest: [String], request: Request, state: NomadState
    ) async -> Response {
        switch (method, rest.first) {
        case ("DELETE", nil):
            guard await state.jobs[id] != nil else { return text("job not found", status: .notFound) }
            await state.deleteJob(id)
            return json(["EvalID": UUID().uuidString.lowercased(), "JobModifyIndex": await state.index], index: await state.index)
        case ("GET", nil):
            guard let job = await state.jobs[id], var object = try? JSONSerialization.jsonObject(with: job.json) as? [String: Any] else {
                return text("job not found", status: .notFound)
            }
            object["Status"] = status(of: await state.deployments[id])
            object["Version"] = job.version
            return json(object, index: job.modifyIndex)
        case ("GET", "deployment"):
            let index = await block(request, state: state)
            guard let deployment = await state.deployments[id] else { return json(NSNull(), index: index) }
            let groups = deployment.groups.mapValues { group -> [String: Any] in
                ["DesiredTotal": group.desired, "PlacedAllocs": group.placed, "HealthyAllocs": group.healthy,
                 "UnhealthyAllocs": group.unhealthy]
            }
            return json(["ID": deployment.id, "JobID": id, "Status": deployment.status, "StatusDescription": deployment.description,
                         "TaskGroups": groups, "ModifyIndex": deployment.modifyIndex, "JobModifyIndex": deployment.jobModifyIndex],
                        index: index)
        case ("GET", "allocations"):
            let index = await block(request, state: state)
            let allocations = await state.allocations.values.filter { $0.jobID == id }.sorted { $0.id < $1.id }
            return json(allocations.map { allocation -> [String: Any] in
                let events = allocation.events.map { ["Type": $0.type, "DisplayMessage": $0.message] }
                var item: [String: Any] = ["ID": allocation.id, "JobID": id, "TaskGroup": allocation.group,
                                           "ClientStatus": allocation.clientStatus, "ModifyIndex": allocation.modifyIndex,
                                           "TaskStates": ["main": ["State": allocation.clientStatus == "running" ? "running" : "dead",
                                                                   "Failed": allocation.clientStatus == "failed", "Events": events]]]
                if let healthy = allocation.healthy { item["DeploymentStatus"] = ["Healthy": healthy] }
                return item
            }, index: index)
        default:
            return text("Invalid method or path", status: .notFound)
        }
    }

    /// A blocking query: waits (up to `wait`, default 5 minutes) until the index passes `index`.
    private static func block(_ request: Request, state: NomadState) async -> UInt64 {
        let query = request.uri.queryParameters
        guard let asked = query["index"].flatMap({ UInt64(String($0)) }), asked > 0 else { return await state.index }
        let wait = query["wait"].map { seconds(String($0)) } ?? 300
        await state.block(above: asked, wait: .milliseconds(Int64(min(wait, 600) * 1000))) { $0.index }
        return await state.index
    }

    /// `5m`, `30s`, `250ms` in seconds.
    private static func seconds(_ text: String) -> Double {
        if text.hasSuffix("ms") { return (Double(text.dropLast(2)) ?? 0) / 1000 }
        if text.hasSuffix("m") { return (Double(text.dropLast()) ?? 0) * 60 }
        if text.hasSuffix("s") { return Double(text.dropLast()) ?? 0 }
        return Double(text) ?? 300
    }

    private static func status(of deployment: NomadState.Deployment?) -> String {
        deployment.map { $0.status == "running" ? "pending" : $0.status == "failed" ? "dead" : "running" } ?? "running"
    }

    /// The Job JSON `/v1/jobs/parse` answers (the fields gloo-hashi's deploy reads and registers).
    private static func jobJSON(_ parsed: NomadJobParser.Parsed) -> [String: Any] {
        ["ID": parsed.id, "Name": parsed.id, "Type": parsed.type, "Datacenters": ["dc1"], "Region": "global", "Namespace": "default",
         "TaskGroups": parsed.groups.map { ["Name": $0.name, "Count": $0.count, "Tasks": [["Name": "main", "Driver": "docker"]]] as [String: Any] }]
    }

    static func control(_ name: String, _ request: Request, state: NomadState) async -> Response {
        let query = request.uri.queryParameters
        let value = { (key: Substring) in query[key].map(String.init) ?? "" }
        switch name {
        case "register":
            let namespace = value("namespace").isEmpty ? "default" : value("namespace")
            let tags = value("tags").split(separator: ",").map(String.init)
            let registration = NomadState.Registration(
                id: value("id"), service: value("service"), namespace: namespace, address: value("address"), port: Int(value("port")) ?? 0,
                tags: tags, allocID: value("alloc"), jobID: value("job"), createIndex: 0, modifyIndex: 0)
            await state.register(registration)
        case "deregister": await state.deregister(id: value("id"))
        case "schedule": await state.setSchedule(fails: value("outcome") == "fail", step: .milliseconds(Int64(value("step_ms")) ?? 200))
        default: return text("unknown control \(name)", status: .notFound)
        }
        return Response(status: .noContent)
    }

    static func json(_ object: Any, index: UInt64?) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? Data("null".utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let index { headers[.init("X-Nomad-Index")!] = String(index) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ message: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
