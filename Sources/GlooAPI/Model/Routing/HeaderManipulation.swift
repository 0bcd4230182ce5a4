/// Headers to add to or remove from requests and responses (`headerManipulation`).
public struct HeaderManipulation: Hashable, Sendable, Codable {
    public var requestHeadersToAdd: [HeaderValueOption]
    public var requestHeadersToRemove: [String]
    public var responseHeadersToAdd: [HeaderValueOption]
    public var responseHeadersToRemove: [String]

    public init(
        requestHeadersToAdd: [HeaderValueOption] = [], requestHeadersToRemove: [String] = [],
        responseHeadersToAdd: [HeaderValueOption] = [], responseHeadersToRemove: [String] = []
    ) {
        self.requestHeadersToAdd = requestHeadersToAdd
        self.requestHeadersToRemove = requestHeadersToRemove
        self.responseHeadersToAdd = responseHeadersToAdd
        self.responseHeadersToRemove = responseHeadersToRemove
    }

    enum CodingKeys: String, CodingKey {
        case requestHeadersToAdd, requestHeadersToRemove, responseHeadersToAdd, responseHeadersToRemove
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestHeadersToAdd = try container.decodeIfPresent([HeaderValueOption].self, forKey: .requestHeadersToAdd) ?? []
        requestHeadersToRemove = try container.decodeIfPresent([String].self, forKey: .requestHeadersToRemove) ?? []
        responseHeadersToAdd = try container.decodeIfPresent([HeaderValueOption].self, forKey: .responseHeadersToAdd) ?? []
        responseHeadersToRemove = try container.decodeIfPresent([String].self, forKey: .responseHeadersToRemove) ?? []
        // Envoy refuses these in the whole RouteConfiguration (every VirtualService on it), so
        // the one resource that asks for them is rejected instead, as Gloo does.
        for (key, names) in [(CodingKeys.requestHeadersToRemove, requestHeadersToRemove), (.responseHeadersToRemove, responseHeadersToRemove)] {
            for (index, name) in names.enumerated() {
                guard let problem = HeaderName.problem(name) else { continue }
                (decoder as? ConfigDecoder)?.state.report(
                    .error, at: decoder.codingPath + [key, AnyCodingKey(intValue: index)], problem)
            }
        }
    }
}

/// Which header names a route may add or remove (Envoy's and Gloo's rule).
public enum HeaderName {
    /// Why `name` may not be added or removed, or nil: pseudo-headers and `host` may not be
    /// touched, and a name must be an HTTP token.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a header name is empty" }
        if name.hasPrefix(":") || name.lowercased() == "host" {
            return "':'-prefixed and host headers may not be modified ('\(name)')"
        }
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if !name.allSatisfy(token.contains) { return "'\(name)' is not a valid header name" }
        return nil
    }
}

/// One header to add, and whether to append to an existing value.
public struct HeaderValueOption: Hashable, Sendable, Codable {
    public var header: HeaderValue?
    /// A header whose value comes from a Secret; not supported, and not safe to drop.
    public var headerSecretRef: UnenforceableOption?
    public var append: Bool?

    public init(header: HeaderValue, append: Bool? = nil) {
        self.header = header
        self.append = append
    }

    enum CodingKeys: String, CodingKey {
        case header, headerSecretRef, append
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.decodeIfPresent(HeaderValue.self, forKey: .header)
        headerSecretRef = try container.decodeIfPresent(UnenforceableOption.self, forKey: .headerSecretRef)
        append = try container.decodeIfPresent(Bool.self, forKey: .append)
        if header == nil && headerSecretRef == nil {
            (decoder as? ConfigDecoder)?.state.report(.error, at: decoder.codingPath, "needs a header (key and value)")
        }
    }
}

public struct HeaderValue: Hashable, Sendable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case key, value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decodeIfPresent(String.self, forKey: .key) ?? ""
        value = try container.decodeIfPresent(String.self, forKey: .value) ?? ""
        if let problem = HeaderName.problem(key) {
            (decoder as? ConfigDecoder)?.state.report(.error, at: decoder.codingPath + [CodingKeys.key], problem)
        }
    }
}
