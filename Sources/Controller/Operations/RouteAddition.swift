import Foundation
import GlooAPI

/// `gloo-hashi route add`, like `glooctl add route`: a route built from its options, put into a
/// VirtualService (created with domain `*` when it does not exist) at a position.
public struct RouteAddition: Sendable {
    public enum PathMatch: Sendable, Hashable {
        case prefix(String)
        case exact(String)
        case regex(String)
    }

    public enum Target: Sendable, Hashable {
        case upstream(ResourceRef)
        case consulService(String)
    }

    public var path: PathMatch
    /// `name=value` header matches (`name` alone: present with any value).
    public var headers: [String]
    public var methods: [String]
    public var target: Target
    public var prefixRewrite: String?

    public init(path: PathMatch, headers: [String] = [], methods: [String] = [], target: Target, prefixRewrite: String? = nil) {
        self.path = path
        self.headers = headers
        self.methods = methods
        self.target = target
        self.prefixRewrite = prefixRewrite
    }

    /// The route as the codec reads it (so it is checked like any stored route).
    public func route(rootKey: String) throws -> Route {
        var matcher: [String: Any] = [:]
        switch path {
        case .prefix(let value): matcher["prefix"] = value
        case .exact(let value): matcher["exact"] = value
        case .regex(let value): matcher["regex"] = value
        }
        if !headers.isEmpty {
            matcher["headers"] = headers.map { header -> [String: Any] in
                let parts = header.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? ["name": parts[0], "value": parts[1]] : ["name": parts[0], "present": true]
            }
        }
        if !methods.isEmpty { matcher["methods"] = methods.map { $0.uppercased() } }
        var route: [String: Any] = ["matchers": [matcher]]
        switch target {
        case .upstream(let ref): route["routeAction"] = ["single": ["upstream": ["name": ref.name, "namespace": ref.namespace]]]
        case .consulService(let name): route["routeAction"] = ["single": ["consul": ["serviceName": name]]]
        }
        if let prefixRewrite { route["options"] = ["prefixRewrite": prefixRewrite] }
        // Decoded inside a VirtualService: the codec checks every field and names the bad one.
        let document: [String: Any] = ["virtualHost": ["domains": ["*"], "routes": [route]]]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        let key = ResourceKey(rootKey: rootKey, kind: .virtualService, namespace: "route-add", name: "route-add")
        let decoded = ResourceCodec.decode(VirtualService.self, from: Array(data), key: key)
        guard let built = decoded.resource?.virtualHost?.routes.first else {
            throw ConfigurationError(description: "the route is not valid: "
                + decoded.problems.map { $0.fieldPath.isEmpty ? $0.reason : "\($0.fieldPath): \($0.reason)" }.joined(separator: "; "))
        }
        return built
    }

    /// `service` (or a new VirtualService `ref` with domain `*`) with the route inserted at `index`
    /// (clamped; nil: first, as glooctl does).
    public func applied(to service: VirtualService?, ref: ResourceRef, index: Int?, rootKey: String) throws -> VirtualService {
        var result = service ?? VirtualService(metadata: Metadata(name: ref.name, namespace: ref.namespace),
                                               virtualHost: VirtualHost(domains: ["*"], routes: []))
        var host = result.virtualHost ?? VirtualHost(domains: ["*"], routes: [])
        let position = min(max(index ?? 0, 0), host.routes.count)
        host.routes.insert(try route(rootKey: rootKey), at: position)
        result.virtualHost = host
        return result
    }

    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }
}
