import Synchronization

/// What an `EndpointDiscovery` runs while its `discoveries()` stream is consumed; it hears
/// every change of interest.
public protocol DiscoveryEngine: Actor {
    func setInterest(_ interest: DiscoveryInterest)
}

/// An `EndpointDiscovery`'s latest interest and its running engine: interest given before the
/// stream starts is handed to the engine when it attaches, later changes as they come.
public final class DiscoveryEngineSlot<Engine: DiscoveryEngine>: Sendable {
    private let state = Mutex<(interest: DiscoveryInterest, engine: Engine?)>((DiscoveryInterest(), nil))

    public init() {}

    /// Keeps `interest` and tells the running engine, when it changed.
    public func setInterest(_ interest: DiscoveryInterest) async {
        let engine = state.withLock { state -> Engine? in
            guard state.interest != interest else { return nil }
            state.interest = interest
            return state.engine
        }
        await engine?.setInterest(interest)
    }

    /// Makes `engine` the running one and hands it the interest so far.
    public func attach(_ engine: Engine) async {
        let interest = state.withLock { state in
            state.engine = engine
            return state.interest
        }
        await engine.setInterest(interest)
    }

    /// Forgets `engine` once its stream ended (unless another has attached since).
    public func detach(_ engine: Engine) {
        state.withLock { state in
            if state.engine === engine { state.engine = nil }
        }
    }
}
