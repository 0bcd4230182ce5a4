/// Runs `body`, then awaits `cleanup`, whether `body` returned or threw: the asynchronous
/// `defer` Swift lacks, for shutting down the clients and servers a scope opened.
public func withCleanup<Result>(
    isolation: isolated (any Actor)? = #isolation, _ cleanup: () async -> Void, _ body: () async throws -> Result
) async rethrows -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
