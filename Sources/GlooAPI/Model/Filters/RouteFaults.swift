/// Fault injection on a route (`faults`, Gloo's faultinjection plugin): abort with a status or
/// delay, each for a percentage of requests (0-100, written as a float).
public struct RouteFaults: Hashable, Sendable, Codable {
    public var abort: RouteAbort?
    public var delay: RouteDelay?
}

/// Answer with `httpStatus` instead of forwarding.
public struct RouteAbort: Hashable, Sendable, Codable {
    public var percentage: Double
    public var httpStatus: UInt32
}

/// Hold the request for `fixedDelay` before forwarding.
public struct RouteDelay: Hashable, Sendable, Codable {
    public var percentage: Double
    public var fixedDelay: ProtoDuration?
}
