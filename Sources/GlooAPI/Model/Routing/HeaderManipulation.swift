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
}

public struct HeaderValue: Hashable, Sendable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
