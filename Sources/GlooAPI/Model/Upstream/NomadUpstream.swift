/// The instances of a Nomad native service (`nomad`, our extension to Gloo's upstream types):
/// `GET /v1/service/<serviceName>` in `namespace`, keeping only instances with every tag in `tags`.
public struct NomadUpstream: Hashable, Sendable, Codable {
    public var serviceName: String
    /// Tags an instance must carry to get traffic (empty: every instance).
    public var tags: [String]
    /// The Nomad namespace (empty: the one gloo-hashi is configured with, else `default`).
    public var namespace: String

    public init(serviceName: String, tags: [String] = [], namespace: String = "") {
        self.serviceName = serviceName
        self.tags = tags
        self.namespace = namespace
    }
}
