/// One route of a virtual host or route table: matchers, one action, options.
public struct Route: Hashable, Sendable, Codable {
    public var matchers: [Matcher]
    public var inheritableMatchers: Bool?
    public var inheritablePathMatchers: Bool?
    public var action: RouteActionKind?
    public var options: RouteOptions? {
        get { storedOptions?.value }
        set { storedOptions = newValue.map(Indirect.init) }
    }
    private var storedOptions: Indirect<RouteOptions>?
    public var name: String
    /// RouteOption resources whose options fill what `options` leaves unset, first one first.
    public var optionsConfigRefs: DelegateOptionsRefs?

    enum CodingKeys: String, CodingKey {
        case matchers, inheritableMatchers, inheritablePathMatchers, action, name, optionsConfigRefs
        case storedOptions = "options"
    }

    public init(name: String = "", matchers: [Matcher], action: RouteActionKind?, options: RouteOptions? = nil) {
        self.name = name
        self.matchers = matchers
        self.action = action
        self.options = options
    }
}

/// What a route does with a matched request (`action` oneof).
public indirect enum RouteActionKind: OneOf {
    case routeAction(RouteAction)
    case redirectAction(RedirectAction)
    case directResponseAction(DirectResponseAction)
    case delegateAction(DelegateAction)
    case graphqlApiRef(UnenforceableOption)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["routeAction", "redirectAction", "directResponseAction", "delegateAction", "graphqlApiRef"])
        switch reader.name {
        case "routeAction": self = .routeAction(try reader.decode())
        case "redirectAction": self = .redirectAction(try reader.decode())
        case "directResponseAction": self = .directResponseAction(try reader.decode())
        case "delegateAction": self = .delegateAction(try reader.decode())
        default: self = .graphqlApiRef(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .routeAction(let value): try encoder.encodeOneOf("routeAction", value)
        case .redirectAction(let value): try encoder.encodeOneOf("redirectAction", value)
        case .directResponseAction(let value): try encoder.encodeOneOf("directResponseAction", value)
        case .delegateAction(let value): try encoder.encodeOneOf("delegateAction", value)
        case .graphqlApiRef(let value): try encoder.encodeOneOf("graphqlApiRef", value)
        }
    }
}

/// Send the request to upstreams.
public struct RouteAction: Hashable, Sendable, Codable {
    public var destination: RouteDestination?

    public init(destination: RouteDestination?) { self.destination = destination }
}

/// Where a route action sends traffic (`destination` oneof).
public indirect enum RouteDestination: OneOf {
    case single(Destination)
    case multi(MultiDestination)
    case upstreamGroup(ResourceRef)
    case clusterHeader(UnenforceableOption)
    case dynamicForwardProxy(UnenforceableOption)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(
            decoder, names: ["single", "multi", "upstreamGroup", "clusterHeader", "dynamicForwardProxy"])
        switch reader.name {
        case "single": self = .single(try reader.decode())
        case "multi": self = .multi(try reader.decode())
        case "upstreamGroup": self = .upstreamGroup(try reader.decode())
        case "clusterHeader": self = .clusterHeader(try reader.decode())
        default: self = .dynamicForwardProxy(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .single(let value): try encoder.encodeOneOf("single", value)
        case .multi(let value): try encoder.encodeOneOf("multi", value)
        case .upstreamGroup(let value): try encoder.encodeOneOf("upstreamGroup", value)
        case .clusterHeader(let value): try encoder.encodeOneOf("clusterHeader", value)
        case .dynamicForwardProxy(let value): try encoder.encodeOneOf("dynamicForwardProxy", value)
        }
    }
}

/// One destination: an Upstream by reference or a Consul service, optionally a subset.
public struct Destination: Hashable, Sendable, Codable {
    public var target: DestinationTarget?
    public var subset: Subset?
    /// Function-level routing (AWS Lambda, REST, gRPC): changes the request, so not ignorable.
    public var destinationSpec: UnenforceableOption?

    public init(target: DestinationTarget?, subset: Subset? = nil) {
        self.target = target
        self.subset = subset
    }
}

/// The `destination_type` oneof of a destination.
public indirect enum DestinationTarget: OneOf {
    case upstream(ResourceRef)
    case consul(ConsulServiceDestination)
    case kube(UnenforceableOption)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["upstream", "consul", "kube"])
        switch reader.name {
        case "upstream": self = .upstream(try reader.decode())
        case "consul": self = .consul(try reader.decode())
        default: self = .kube(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .upstream(let value): try encoder.encodeOneOf("upstream", value)
        case .consul(let value): try encoder.encodeOneOf("consul", value)
        case .kube(let value): try encoder.encodeOneOf("kube", value)
        }
    }
}

/// A Consul service as a destination: instances with all of `tags`, in `dataCenters`.
public struct ConsulServiceDestination: Hashable, Sendable, Codable {
    public var serviceName: String
    public var tags: [String]
    public var dataCenters: [String]

    public init(serviceName: String, tags: [String] = [], dataCenters: [String] = []) {
        self.serviceName = serviceName
        self.tags = tags
        self.dataCenters = dataCenters
    }
}

/// Endpoint metadata the destination's hosts must carry.
public struct Subset: Hashable, Sendable, Codable {
    public var values: [String: String]
}

/// Weighted destinations.
public struct MultiDestination: Hashable, Sendable, Codable {
    public var destinations: [WeightedDestination]

    public init(destinations: [WeightedDestination]) { self.destinations = destinations }
}

public struct WeightedDestination: Hashable, Sendable, Codable {
    public var destination: Destination?
    public var weight: UInt32?
    public var options: WeightedDestinationOptions?

    public init(destination: Destination, weight: UInt32?) {
        self.destination = destination
        self.weight = weight
    }
}

/// Answer with a redirect.
public struct RedirectAction: Hashable, Sendable, Codable {
    public enum ResponseCode: String, ProtoEnum {
        case movedPermanently = "MOVED_PERMANENTLY"
        case found = "FOUND"
        case seeOther = "SEE_OTHER"
        case temporaryRedirect = "TEMPORARY_REDIRECT"
        case permanentRedirect = "PERMANENT_REDIRECT"
    }

    public var hostRedirect: String
    public var pathRewrite: RedirectPathRewrite?
    public var responseCode: ResponseCode?
    public var httpsRedirect: Bool
    public var stripQuery: Bool
    public var portRedirect: UInt32?
}

/// The `path_rewrite_specifier` oneof of a redirect.
public indirect enum RedirectPathRewrite: OneOf {
    case pathRedirect(String)
    case prefixRewrite(String)
    case regexRewrite(RegexRewrite)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["pathRedirect", "prefixRewrite", "regexRewrite"])
        switch reader.name {
        case "pathRedirect": self = .pathRedirect(try reader.decode())
        case "prefixRewrite": self = .prefixRewrite(try reader.decode())
        default: self = .regexRewrite(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .pathRedirect(let value): try encoder.encodeOneOf("pathRedirect", value)
        case .prefixRewrite(let value): try encoder.encodeOneOf("prefixRewrite", value)
        case .regexRewrite(let value): try encoder.encodeOneOf("regexRewrite", value)
        }
    }
}

/// Answer directly with a status and body.
public struct DirectResponseAction: Hashable, Sendable, Codable {
    public var status: UInt32
    public var body: String

    public init(status: UInt32, body: String = "") {
        self.status = status
        self.body = body
    }
}

/// Hand matching requests to RouteTables, by reference or by selector.
public struct DelegateAction: Hashable, Sendable, Codable {
    /// Deprecated form of `ref`.
    public var name: String
    /// Deprecated form of `ref`.
    public var namespace: String
    public var delegation: Delegation?

    public init(delegation: Delegation) {
        self.name = ""
        self.namespace = ""
        self.delegation = delegation
    }

    /// The referenced table, counting Gloo's deprecated `name`/`namespace` form.
    public var effectiveDelegation: Delegation? {
        if let delegation { return delegation }
        guard !name.isEmpty else { return nil }
        return .ref(ResourceRef(name: name, namespace: namespace))
    }
}

/// The `delegation_type` oneof.
public indirect enum Delegation: OneOf {
    case ref(ResourceRef)
    case selector(RouteTableSelector)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["ref", "selector"])
        switch reader.name {
        case "ref": self = .ref(try reader.decode())
        default: self = .selector(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .ref(let value): try encoder.encodeOneOf("ref", value)
        case .selector(let value): try encoder.encodeOneOf("selector", value)
        }
    }
}

/// Selects RouteTables by namespace and labels (`*` means every namespace).
public struct RouteTableSelector: Hashable, Sendable, Codable {
    public var namespaces: [String]
    public var labels: [String: String]
    /// Set-based label requirements (Kubernetes' operators); not combinable with `labels`.
    public var expressions: [LabelExpression]

    public init(namespaces: [String] = [], labels: [String: String] = [:], expressions: [LabelExpression] = []) {
        self.namespaces = namespaces
        self.labels = labels
        self.expressions = expressions
    }
}

/// One label requirement of a RouteTable selector, with Kubernetes' semantics.
public struct LabelExpression: Hashable, Sendable, Codable {
    public enum Operator: String, ProtoEnum {
        case equals = "Equals"
        case doubleEquals = "DoubleEquals"
        case notEquals = "NotEquals"
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
        case greaterThan = "GreaterThan"
        case lessThan = "LessThan"
    }

    public var key: String
    /// Unset means `Equals`, protobuf's zero value.
    public var `operator`: Operator?
    public var values: [String]

    public init(key: String, operator: Operator, values: [String] = []) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Why the requirement is malformed (the value count or type its operator needs), or nil.
    public var problem: String? {
        let name = (self.operator ?? .equals).rawValue
        switch self.operator ?? .equals {
        case .equals, .doubleEquals, .notEquals:
            return values.count == 1 ? nil : "\(name) needs exactly one value"
        case .in, .notIn:
            return values.isEmpty ? "\(name) needs at least one value" : nil
        case .exists, .doesNotExist:
            return values.isEmpty ? nil : "\(name) takes no values"
        case .greaterThan, .lessThan:
            return values.count == 1 && Int64(values[0]) != nil ? nil : "\(name) needs exactly one integer value"
        }
    }

    /// Whether a table with `labels` meets the requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch self.operator ?? .equals {
        case .equals, .doubleEquals, .in: return value.map(values.contains) ?? false
        case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        case .greaterThan, .lessThan:
            guard let value, let number = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
            return self.operator == .greaterThan ? number > bound : number < bound
        }
    }
}
