import Foundation
import Hummingbird
import NIOCore

/// Nomad's HTTP API for tests, over a real socket on 127.0.0.1 (REFERENCE.md section 6): native
/// services (`/v1/services`, `/v1/service/<name>`) with blocking queries and `X-Nomad-Index`;
/// jobs parse (the constructs gloo-hashi's job files use: `job`, `group`, `count` from a literal
/// or a variable's default overridden by `Variables`, `type`), register, read, list and delete;
/// evaluations; deployments that progress one step per interval, to success or to failure as the
/// test chose; allocations with task events; ACL token enforcement (403 "Permission denied").
public final class NomadTestServer: Sendable {
    /// `127.0.0.1:<port>`.
    public let address: String
    let state: NomadState
    private let running: TestServerRun
    private let stepper: Task<Void, Never>

    /// Starts listening on an ephemeral port (or `port`); with `token`, every API request needs it.
    public static func start(port: Int = 0, token: String? = nil) async throws -> NomadTestServer {
        let state = NomadState()
        await state.setToken(token)
        let router = Router()
        for method in [HTTPRequest.Method.get, .put, .post, .delete] {
            router.on("/v1/**", method: method) { request, _ in await NomadAPI.handle(request, state: state) }
        }
        // Not Nomad's: controls for tests that run the server as a process (e2e/).
        router.put("/_test/:control") { request, context in
            await NomadAPI.control(context.parameters.get("control") ?? "", request, state: state)
        }
        router.get("/_test/blocked") { _, _ -> Response in NomadAPI.json(await state.parked.count, index: nil) }
        router.get("/_test/requests") { _, _ -> Response in
            let items: [[String: String]] = await state.requests.map { ["method": $0.method, "path": $0.path] }
            return NomadAPI.json(items, index: nil)
        }
        let (running, actual) = try await TestServerLauncher.launch(router, name: "nomad-test-server", port: port)
        // Deployments move on by themselves, one step per the schedule's interval.
        let stepper = Task {
            while !Task.isCancelled {
                let step = await state.schedule.step
                try? await Task.sleep(for: step)
                await state.step()
            }
        }
        return NomadTestServer(address: "127.0.0.1:\(actual)", state: state, running: running, stepper: stepper)
    }

    private init(address: String, state: NomadState, running: TestServerRun, stepper: Task<Void, Never>) {
        self.address = address
        self.state = state
        self.running = running
        self.stepper = stepper
    }

    public func stop() async {
        stepper.cancel()
        await state.shutdown()
        await running.stop()
    }

    // MARK: Test controls

    /// Registers (or updates) an instance of a native service.
    public func register(service: String, id: String, address: String, port: Int, tags: [String] = [], namespace: String = "default",
                         allocID: String = UUID().uuidString.lowercased(), jobID: String = "") async {
        await state.register(.init(id: id, service: service, namespace: namespace, address: address, port: port, tags: tags,
                                   allocID: allocID, jobID: jobID, createIndex: 0, modifyIndex: 0))
    }

    /// Removes an instance (its allocation stopped).
    public func deregister(id: String) async { await state.deregister(id: id) }

    /// How the next deployments go: to success or to failure, one step every `step`.
    public func setDeploymentSchedule(fails: Bool, step: Duration = .milliseconds(200)) async {
        await state.setSchedule(fails: fails, step: step)
    }

    /// Every request so far (method and path), for tests that count them.
    public func requests() async -> [(method: String, path: String)] { await state.requests }
}
