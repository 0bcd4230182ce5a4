import Hummingbird
import Logging

/// Starts a test server's router on 127.0.0.1, quietly, and reports the port it bound.
enum TestServerLauncher {
    /// Runs `router` on `port` (0: an ephemeral one), over TLS when `tls` is given; returns the
    /// running server (cancel it to stop) and the bound port.
    static func launch(
        _ router: Router<BasicRequestContext>, name: String, port: Int, tls: TestServerTLS? = nil
    ) async throws -> (running: Task<Void, any Error>, port: Int) {
        let (bound, reportPort) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, server: try tls?.serverBuilder() ?? .http1(),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: name),
            onServerRunning: { channel in
                reportPort.yield(channel.localAddress?.port ?? 0)
                reportPort.finish()
            },
            logger: Logger(label: name, factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = bound.makeAsyncIterator()
        guard let actual = await iterator.next(), actual > 0 else {
            running.cancel()
            throw CancellationError()
        }
        return (running, actual)
    }
}
