import Foundation
import Hummingbird

/// `/v1/catalog` (register, deregister, datacenters, services, service) and `/v1/health`
/// (service with checks and `?passing`, state), with blocking queries per datacenter and service.
extension ConsulTestServer {
    static func addCatalogRoutes(_ router: Router<BasicRequestContext>, state: ConsulKVState, token: String?) {
        router.put("/v1/catalog/register") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            guard let body = CaseInsensitiveJSON(bytes: Array(buffer: try await request.body.collect(upTo: 1 << 20))),
                  let node = body.string("Node"), !node.isEmpty
            else { return text("Must provide node", status: .badRequest) }
            await state.register(registration(body, node: node))
            return json("true", index: nil)
        }
        router.put("/v1/catalog/deregister") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            guard let body = CaseInsensitiveJSON(bytes: Array(buffer: try await request.body.collect(upTo: 1 << 20))),
                  let node = body.string("Node"), !node.isEmpty
            else { return text("Must provide node", status: .badRequest) }
            await state.deregister(datacenter: body.string("Datacenter"), node: node, serviceID: body.string("ServiceID"),
                                   checkID: body.string("CheckID"))
            return json("true", index: nil)
        }
        // The agent's service maintenance: a critical `_service_maintenance:<id>` check, as Consul adds.
        router.put("/v1/agent/service/maintenance/:id") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let id = context.parameters.get("id") ?? ""
            guard let enable = request.uri.queryParameters["enable"].map(String.init), enable == "true" || enable == "false" else {
                return text("Missing value for enable", status: .badRequest)
            }
            guard let node = await state.catalog.datacenter(nil).entries.first(where: { $0.value.services[id] != nil })?.key else {
                return text("No service registered with ID \"\(id)\"", status: .notFound)
            }
            let checkID = "_service_maintenance:\(id)"
            if enable == "true" {
                let reason = request.uri.queryParameters["reason"].map(String.init) ?? "Maintenance mode is enabled for this service"
                await state.register(.init(datacenter: nil, node: node, address: "", service: nil, checks: [
                    .init(node: node, id: checkID, name: "Service Maintenance Mode: \(reason)", status: "critical", serviceID: id),
                ]))
            } else {
                await state.deregister(datacenter: nil, node: node, serviceID: nil, checkID: checkID)
            }
            return Response(status: .ok)
        }
        router.get("/v1/catalog/datacenters") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let names = await state.catalog.datacenters.keys.sorted()
            return json("[" + names.map { "\"\(escapeJSON($0))\"" }.joined(separator: ",") + "]", index: nil)
        }
        router.get("/v1/catalog/services") { request, _ -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let dc = request.uri.queryParameters["dc"].map(String.init)
            await block(request, state: state) { $0.servicesIndex(dc) }
            let tags = await state.catalog.serviceTags(dc)
            let body = tags.sorted { $0.key < $1.key }.map { name, tags in
                "\"\(escapeJSON(name))\":[" + tags.map { "\"\(escapeJSON($0))\"" }.joined(separator: ",") + "]"
            }.joined(separator: ",")
            return json("{\(body)}", index: await state.servicesIndex(dc))
        }
        router.get("/v1/catalog/service/:name") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let name = context.parameters.get("name") ?? ""
            let dc = request.uri.queryParameters["dc"].map(String.init)
            await block(request, state: state) { $0.serviceIndex(name, dc) }
            let tag = request.uri.queryParameters["tag"].map(String.init)
            let center = dc ?? TestCatalog.localDatacenter
            let items = await state.catalog.instances(of: name, dc: dc).filter { tag == nil || $0.service.tags.contains(tag!) }.map { node, service, _ in
                #"{"ID":"","Node":"\#(escapeJSON(node.name))","Address":"\#(escapeJSON(node.address))","Datacenter":"\#(escapeJSON(center))","#
                    + #""TaggedAddresses":null,"NodeMeta":{},"ServiceID":"\#(escapeJSON(service.id))","ServiceName":"\#(escapeJSON(service.name))","#
                    + #""ServiceAddress":"\#(escapeJSON(service.address))","ServicePort":\#(service.port),"ServiceTags":\#(list(service.tags)),"#
                    + #""ServiceMeta":\#(object(service.meta)),"ServiceWeights":{"Passing":\#(service.weights.passing),"Warning":\#(service.weights.warning)},"#
                    + #""CreateIndex":1,"ModifyIndex":1}"#
            }
            return json("[" + items.joined(separator: ",") + "]", index: await state.serviceIndex(name, dc))
        }
        router.get("/v1/health/service/:name") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let name = context.parameters.get("name") ?? ""
            let query = request.uri.queryParameters
            let dc = query["dc"].map(String.init)
            await block(request, state: state) { $0.serviceIndex(name, dc) }
            let tag = query["tag"].map(String.init)
            let center = dc ?? TestCatalog.localDatacenter
            let items = await state.catalog.instances(of: name, dc: dc).filter { entry in
                (tag == nil || entry.service.tags.contains(tag!)) && (query["passing"] == nil || entry.checks.allSatisfy { $0.status == "passing" })
            }.map { node, service, checks in
                let checkItems = checks.map { check in
                    #"{"Node":"\#(escapeJSON(check.node))","CheckID":"\#(escapeJSON(check.id))","Name":"\#(escapeJSON(check.name))","#
                        + #""Status":"\#(check.status)","ServiceID":"\#(escapeJSON(check.serviceID))","#
                        + #""ServiceName":"\#(check.serviceID.isEmpty ? "" : escapeJSON(service.name))"}"#
                }
                return #"{"Node":{"ID":"","Node":"\#(escapeJSON(node.name))","Address":"\#(escapeJSON(node.address))","Datacenter":"\#(escapeJSON(center))"},"#
                    + #""Service":{"ID":"\#(escapeJSON(service.id))","Service":"\#(escapeJSON(service.name))","Tags":\#(list(service.tags)),"#
                    + #""Address":"\#(escapeJSON(service.address))","Port":\#(service.port),"Meta":\#(object(service.meta)),"#
                    + #""Weights":{"Passing":\#(service.weights.passing),"Warning":\#(service.weights.warning)}},"#
                    + #""Checks":[\#(checkItems.joined(separator: ","))]}"#
            }
            return json("[" + items.joined(separator: ",") + "]", index: await state.serviceIndex(name, dc))
        }
        router.get("/v1/health/state/:state") { request, context -> Response in
            if let denied = await admit(request, state: state, token: token) { return denied }
            let wanted = context.parameters.get("state") ?? "any"
            let dc = request.uri.queryParameters["dc"].map(String.init)
            let checks = await state.catalog.datacenter(dc).allChecks.filter { wanted == "any" || $0.status == wanted }
                .sorted { ($0.node, $0.id) < ($1.node, $1.id) }
            let items = checks.map {
                #"{"Node":"\#(escapeJSON($0.node))","CheckID":"\#(escapeJSON($0.id))","Name":"\#(escapeJSON($0.name))","#
                    + #""Status":"\#($0.status)","ServiceID":"\#(escapeJSON($0.serviceID))"}"#
            }
            return json("[" + items.joined(separator: ",") + "]", index: await state.raftIndex)
        }
    }

    /// A registration body: node, optional service, and `Check` or `Checks`.
    static func registration(_ body: CaseInsensitiveJSON, node: String) -> ConsulKVState.Registration {
        var service: TestCatalog.Service?
        if let given = body.object("Service"), let name = given.string("Service") {
            let weights = given.object("Weights")
            service = TestCatalog.Service(
                node: node, id: given.string("ID").flatMap { $0.isEmpty ? nil : $0 } ?? name, name: name, tags: given.strings("Tags"),
                address: given.string("Address") ?? "", port: given.int("Port") ?? 0,
                meta: (given["Meta"] as? [String: String]) ?? [:],
                weights: (weights?.int("Passing") ?? 1, weights?.int("Warning") ?? 1))
        }
        let checks = (body.object("Check").map { [$0] } ?? []) + body.objects("Checks")
        return ConsulKVState.Registration(
            datacenter: body.string("Datacenter").flatMap { $0.isEmpty ? nil : $0 }, node: node, address: body.string("Address") ?? "",
            service: service,
            checks: checks.map { check in
                TestCatalog.Check(node: node, id: check.string("CheckID") ?? check.string("Name") ?? "check", name: check.string("Name") ?? "",
                                  status: check.string("Status") ?? "critical", serviceID: check.string("ServiceID") ?? "")
            })
    }

    /// Blocks while `current` has not passed the request's `index` (when it has one).
    private static func block(_ request: Request, state: ConsulKVState, current: @Sendable (isolated ConsulKVState) -> UInt64) async {
        let query = request.uri.queryParameters
        guard let indexText = query["index"], let index = UInt64(String(indexText)), index > 0 else { return }
        let wait = query["wait"].flatMap { parseWait(String($0)) } ?? .seconds(300)
        await state.block(above: index, wait: min(wait, .seconds(600)), current: current)
    }

    private static func list(_ values: [String]) -> String {
        "[" + values.map { "\"\(escapeJSON($0))\"" }.joined(separator: ",") + "]"
    }

    private static func object(_ values: [String: String]) -> String {
        "{" + values.sorted { $0.key < $1.key }.map { "\"\(escapeJSON($0.key))\":\"\(escapeJSON($0.value))\"" }.joined(separator: ",") + "}"
    }
}
