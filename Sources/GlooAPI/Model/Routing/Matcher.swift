/// How a route matches a request (`matchers[]`): one path rule plus headers, query and methods.
public struct Matcher: Hashable, Sendable, Codable {
    public var path: PathSpecifier?
    public var caseSensitive: Bool?
    public var headers: [HeaderMatcher]
    public var queryParameters: [QueryParameterMatcher]
    public var methods: [String]

    public init(path: PathSpecifier?, headers: [HeaderMatcher] = [], methods: [String] = []) {
        self.path = path
        self.headers = headers
        self.queryParameters = []
        self.methods = methods
    }
}

/// The path rule of a matcher (`path_specifier` oneof).
public indirect enum PathSpecifier: OneOf {
    case prefix(String)
    case exact(String)
    case regex(String)
    case connectMatcher(EmptyMessage)

    public init(from decoder: any Decoder) throws {
        let reader = try OneOfReader(decoder, names: ["prefix", "exact", "regex", "connectMatcher"])
        switch reader.name {
        case "prefix": self = .prefix(try reader.decode())
        case "exact": self = .exact(try reader.decode())
        case "regex": self = .regex(try reader.decode())
        default: self = .connectMatcher(try reader.decode())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .prefix(let value): try encoder.encodeOneOf("prefix", value)
        case .exact(let value): try encoder.encodeOneOf("exact", value)
        case .regex(let value): try encoder.encodeOneOf("regex", value)
        case .connectMatcher(let value): try encoder.encodeOneOf("connectMatcher", value)
        }
    }
}

/// A header condition: present, equal to `value`, or matching `value` as a regex when `regex` is set.
public struct HeaderMatcher: Hashable, Sendable, Codable {
    public var name: String
    public var value: String
    public var regex: Bool
    public var invertMatch: Bool

    public init(name: String, value: String = "", regex: Bool = false, invertMatch: Bool = false) {
        self.name = name
        self.value = value
        self.regex = regex
        self.invertMatch = invertMatch
    }
}

/// A query parameter condition, like `HeaderMatcher`.
public struct QueryParameterMatcher: Hashable, Sendable, Codable {
    public var name: String
    public var value: String
    public var regex: Bool
}
