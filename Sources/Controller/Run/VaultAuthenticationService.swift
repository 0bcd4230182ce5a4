import Logging
import ServiceLifecycle
import VaultSecrets

/// Runs Vault authentication next to the other services: the first token (tried again with
/// backoff while Vault is unreachable or sealed; the secret store reports meanwhile), then
/// renewals, logins and token-file re-reads until shutdown.
struct VaultAuthenticationService: Service {
    let authentication: VaultAuthentication
    let logger: Logger

    func run() async throws {
        let authentication = authentication
        let logger = logger
        await cancelWhenGracefulShutdown {
            var backoff = Duration.seconds(1)
            while !Task.isCancelled {
                do {
                    try await authentication.start()
                    break
                } catch {
                    logger.error("cannot authenticate to Vault; trying again", metadata: ["error": "\(error)", "retryIn": "\(backoff)"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(30))
                }
            }
            await authentication.run()
            // Nothing left to renew (a token without TTL): wait for the shutdown.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
    }
}
