import Foundation
import GlooAPI
import Hummingbird
import Logging
import XDS

/// The admin HTTP API: `/healthz` (the process is up), `/readyz` (the first complete sync was
/// published; until then 503; the body says when the configuration source is failing),
/// `/metrics` (Prometheus text) and the debug views: `/debug/reports`, `/debug/proxies`,
/// `/debug/route-modes` (each HTTP chain's route mode and why),
/// `/debug/snapshot?proxy=NAME` (Envoy JSON, private keys redacted) and `/debug/xds` (connected
/// Envoys with their ACKed versions and last NACKs).
public enum AdminServer {
    public static func application(
        address: HostPort, state: ControllerState, xds: XDSServer?, metrics: GatewayMetrics? = nil, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ -> Response in
            guard let metrics else { return text("metrics are off\n", status: .notFound) }
            let body = await metrics.exposition(xds: xds)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/readyz") { _, _ -> Response in
            let failures = await state.sourceFailures
            let problem = failures.keys.sorted().map { source in
                let failure = failures[source]!
                let name = source == "config" ? "the configuration source" : source
                return "; \(name) is failing since \(ISO8601DateFormatter().string(from: failure.since)): \(failure.reason)"
            }.joined()
            if await state.ready {
                return text(failures.isEmpty ? "ready\n" : "ready, serving the last good configuration\(problem)\n")
            }
            return text("waiting for the first sync\(problem)\n", status: .serviceUnavailable)
        }
        router.get("/debug/reports") { _, _ -> Response in
            let reports = await state.lastReports.problems.map {
                ["key": $0.key, "state": $0.state.rawValue, "errors": $0.errors, "warnings": $0.warnings] as [String: Any]
            }
            return json(reports)
        }
        router.get("/debug/proxies") { _, _ -> Response in
            let proxies = await state.lastProxies.map { translation -> Any in
                (try? JSONSerialization.jsonObject(with: Data(ResourceCodec.json(translation.proxy).utf8))) ?? [:]
            }
            return json(proxies)
        }
        router.get("/debug/discovery") { _, _ -> Response in
            let results = await state.discovery
            var sources: [String: Any] = [:]
            var upstreams: [[String: Any]] = []
            for name in results.keys.sorted() {
                let result = results[name]!
                sources[name] = [
                    "complete": result.complete, "watches": result.watches, "problems": result.problems,
                    "watched": result.interest.services.keys.sorted(),
                    "endpoints": result.endpoints.mapValues(\.count),
                ] as [String: Any]
                for upstream in result.upstreams {
                    var item: [String: Any] = ["source": name, "name": upstream.metadata.name, "namespace": upstream.metadata.namespace]
                    if case .consul(let spec)? = upstream.upstreamType {
                        item["service"] = spec.serviceName
                        item["dataCenters"] = spec.dataCenters
                    }
                    upstreams.append(item)
                }
            }
            return json(["sources": sources, "upstreams": upstreams])
        }
        router.get("/debug/route-modes") { _, _ -> Response in
            let modes = await state.lastProxies.map { translation -> [String: Any] in
                ["group": translation.group, "route_modes": translation.routeModes.map(\.jsonObject)]
            }
            return json(modes)
        }
        router.get("/debug/snapshot") { request, _ -> Response in
            let wanted = request.uri.queryParameters["proxy"].map(String.init)
            var document: [String: Any] = [:]
            for translation in await state.lastProxies
            where wanted == nil || translation.group == wanted || translation.proxy.metadata.name == wanted {
                document[translation.group] = try translation.envoy.jsonObject(redactingPrivateKeys: true)
            }
            if let wanted, document.isEmpty { return text("no proxy named '\(wanted)'\n", status: .notFound) }
            return json(document)
        }
        router.get("/debug/xds") { _, _ -> Response in
            let nodes = await xds?.connectedNodes() ?? []
            return json(nodes.map { node -> [String: Any] in
                [
                    "node": node.nodeID, "cluster": node.cluster, "group": node.group, "mode": node.mode.rawValue,
                    "waitingForSnapshot": node.waitingForSnapshot,
                    "acked": Dictionary(uniqueKeysWithValues: node.acked.map { ($0.key.shortName, $0.value) }),
                    "lastNack": Dictionary(uniqueKeysWithValues: node.lastNack.map {
                        ($0.key.shortName, ["version": $0.value.version, "nonce": $0.value.nonce, "message": $0.value.message])
                    }),
                ]
            })
        }
        return Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "gloo-hashi"),
            logger: logger)
    }

    private static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private static func json(_ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
