import Foundation
import GlooAPI
import Translator
import XDS

/// What the running controller knows about itself, for the admin API: readiness, the last
/// publish, and the reports of the last translation.
public actor ControllerState {
    /// True once the first complete sync was translated and published.
    public private(set) var ready = false
    public private(set) var lastReports = Reports()
    /// The last translation's proxies (Gloo Proxy and Envoy resources), for the debug API.
    public private(set) var lastProxies: [ProxyTranslation] = []
    public private(set) var publishedGroups: [String: XDSSnapshot] = [:]
    public private(set) var lastError: String?
    /// How many translations were published since start.
    public private(set) var publications = 0
    /// Why each failing source (`config`, `discovery-consul`) is failing and since when (the
    /// last good snapshot keeps being served); empty while every source delivers.
    public private(set) var sourceFailures: [String: (reason: String, since: Date)] = [:]

    /// The configuration source's failure, if it is failing.
    public var sourceFailure: (reason: String, since: Date)? { sourceFailures["config"] }

    /// The newest result of each discovery source, for the debug API.
    public private(set) var discovery: [String: DiscoveryResult] = [:]

    public init() {}

    func discovered(_ result: DiscoveryResult, source: String) {
        discovery[source] = result
    }

    func sourceFailed(_ reason: String, source: String = "config") {
        sourceFailures[source] = (reason, sourceFailures[source]?.since ?? Date())
    }

    func sourceRecovered(_ source: String = "config") {
        sourceFailures[source] = nil
    }

    func published(groups: [String: XDSSnapshot], reports: Reports, proxies: [ProxyTranslation]) {
        publishedGroups = groups
        lastReports = reports
        lastProxies = proxies
        lastError = nil
        ready = true
        publications += 1
    }

    func failed(_ error: String) {
        lastError = error
    }
}
