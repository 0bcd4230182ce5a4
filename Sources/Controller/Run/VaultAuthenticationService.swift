import HashiHTTP
import Logging
import ServiceLifecycle
import VaultSecrets

/// Runs Vault authentication next to the other services: the first token (tried again with
/// backoff while Vault is unreachable or sealed; the secret store reports meanwhile), then
/// renewals, logins and token-file re-reads until shutdown.
struct VaultAuthenticationService: Service {
    let authentication: VaultAuthentication
    let logger: Logger
    var timeline = Timeline()

    func run() async throws {
        let authentication = authentication
        let logger = logger
        let timeline = timeline
        await cancelWhenGracefulShutdown {
            var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
            while !Task.isCancelled {
                do {
                    try await authentication.start()
                    break
                } catch {
                    let pause = backoff.next()
                    logger.error("cannot authenticate to Vault; trying again", metadata: ["error": "\(error)", "retryIn": "\(pause)"])
                    try? await timeline.sleep(for: pause)
                }
            }
            await authentication.run()
            // Nothing left to renew (a token without TTL): wait for the shutdown.
            await waitUntilCancelled()
        }
    }
}

/// Suspends until the task is cancelled, without waking up meanwhile.
func waitUntilCancelled() async {
    let (never, _) = AsyncStream<Void>.makeStream()
    for await _ in never {}
}
