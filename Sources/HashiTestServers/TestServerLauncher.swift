import Hummingbird
import Logging
import ServiceLifecycle

/// Starts a test server's router on 127.0.0.1, quietly, and reports the port it bound.
enum TestServerLauncher {
    /// Runs `router` on `port` (0: an ephemeral one), over TLS when `tls` is given; returns the
    /// running server and the bound port.
    static func launch(
        _ router: Router<BasicRequestContext>, name: String, port: Int, tls: TestServerTLS? = nil
    ) async throws -> (running: TestServerRun, port: Int) {
        let (bound, reportPort) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, server: try tls?.serverBuilder() ?? .http1(),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: name),
            onServerRunning: { channel in
                reportPort.yield(channel.localAddress?.port ?? 0)
                reportPort.finish()
            },
            logger: Logger(label: name, factory: { _ in SwiftLogNoOpLogHandler() }))
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: name)))
        let running = TestServerRun(group: group, task: Task { try await group.run() })
        var iterator = bound.makeAsyncIterator()
        guard let actual = await iterator.next(), actual > 0 else {
            await running.stop()
            throw CancellationError()
        }
        return (running, actual)
    }
}

/// A running test server. Stopping is a graceful shutdown, not a cancellation: cancelling
/// NIO's server channel while an accepted connection is still queued traps in
/// `NIOAsyncWriter` (swift-nio#3481), which a client connecting during `stop` would trigger.
final class TestServerRun: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(group: ServiceGroup, task: Task<Void, any Error>) {
        self.group = group
        self.task = task
    }

    /// Shuts the server down gracefully (open connections finish); cancels it only if that
    /// has not ended it within 5 s.
    func stop() async {
        await group.triggerGracefulShutdown()
        let task = task
        let fallback = Task {
            try await Task.sleep(for: .seconds(5))
            task.cancel()
        }
        _ = try? await task.value
        fallback.cancel()
    }
}
