import Hummingbird
import Logging

/// The admin HTTP API: `/healthz` (the process is up) and `/readyz` (the first complete sync
/// was published; until then 503).
public enum AdminServer {
    public static func application(
        address: HostPort, state: ControllerState, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            if await state.ready {
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n")))
            }
            return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "waiting for the first sync\n")))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "gloo-hashi"),
            logger: logger)
    }
}
