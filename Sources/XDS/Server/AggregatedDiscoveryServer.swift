import EnvoyAPI
import GRPCCore

/// The ADS gRPC service: state-of-the-world and delta on one port. It decides only *how* to
/// stream; what each group gets comes from the `SnapshotCache`.
public struct AggregatedDiscoveryServer: Envoy_Service_Discovery_V3_AggregatedDiscoveryService.SimpleServiceProtocol {
    public let cache: SnapshotCache
    public let connections: ConnectionRegistry
    let shutdown: ShutdownSignal

    public init(cache: SnapshotCache, connections: ConnectionRegistry) {
        self.init(cache: cache, connections: connections, shutdown: ShutdownSignal())
    }

    init(cache: SnapshotCache, connections: ConnectionRegistry, shutdown: ShutdownSignal) {
        self.cache = cache
        self.connections = connections
        self.shutdown = shutdown
    }

    public func streamAggregatedResources(
        request: RPCAsyncSequence<Envoy_Service_Discovery_V3_DiscoveryRequest, any Error>,
        response: RPCWriter<Envoy_Service_Discovery_V3_DiscoveryResponse>,
        context: ServerContext
    ) async throws {
        try await run(SotWStreamStateMachine.self, requests: request, responses: response)
    }

    public func deltaAggregatedResources(
        request: RPCAsyncSequence<Envoy_Service_Discovery_V3_DeltaDiscoveryRequest, any Error>,
        response: RPCWriter<Envoy_Service_Discovery_V3_DeltaDiscoveryResponse>,
        context: ServerContext
    ) async throws {
        try await run(DeltaStreamStateMachine.self, requests: request, responses: response)
    }

    private enum Input<Request: Sendable>: Sendable {
        case request(Request)
        case snapshotChanged
        case requestsEnded
        case shutdown
    }

    /// One stream: requests and snapshot changes are merged into one sequence of inputs and fed
    /// to the state machine, whose responses are written in order. Each stream runs on its own,
    /// so a slow Envoy only delays itself, and it skips to the newest snapshot.
    private func run<Machine: ADSStateMachine>(
        _ machine: Machine.Type,
        requests: RPCAsyncSequence<Machine.Request, any Error>,
        responses: RPCWriter<Machine.Response>
    ) async throws {
        let streamID = await connections.open(mode: Machine.mode)
        let (inputs, continuation) = AsyncStream<Input<Machine.Request>>.makeStream()
        let latest = LatestSnapshot()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await request in requests { continuation.yield(.request(request)) }
                    } catch {}
                    continuation.yield(.requestsEnded)
                }
                group.addTask {
                    await shutdown.wait()
                    continuation.yield(.shutdown)
                }
                var state = Machine()
                var subscribed = false
                loop: for await input in inputs {
                    switch input {
                    case .request(let request):
                        if !subscribed, let node = Machine.node(of: request) {
                            subscribed = true
                            let nodeGroup = NodeGroup.group(for: node)
                            await connections.identify(streamID, nodeID: node.id, cluster: node.cluster, group: nodeGroup)
                            let updates = await cache.updates(group: nodeGroup)
                            // Know the current snapshot before answering the first request.
                            if let current = await cache.snapshot(group: nodeGroup) {
                                for response in state.update(current) { try await responses.write(response) }
                            }
                            group.addTask {
                                for await snapshot in updates where latest.offer(snapshot) {
                                    continuation.yield(.snapshotChanged)
                                }
                            }
                        }
                        let (events, out) = state.receive(request)
                        if !events.isEmpty { await connections.record(streamID, events) }
                        for response in out { try await responses.write(response) }
                    case .snapshotChanged:
                        guard let snapshot = latest.take() else { continue }
                        for response in state.update(snapshot) { try await responses.write(response) }
                    case .requestsEnded:
                        // A half-closed stream may still receive updates; it ends when the
                        // client cancels it or the server shuts down.
                        continue
                    case .shutdown:
                        break loop
                    }
                }
                continuation.finish()
                group.cancelAll()
            }
        } catch {
            continuation.finish()
            await connections.close(streamID)
            throw error
        }
        await connections.close(streamID)
    }
}
