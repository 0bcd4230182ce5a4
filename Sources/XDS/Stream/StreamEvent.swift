/// What a stream state machine observed in a request, for the connection view and logs.
public enum StreamEvent: Hashable, Sendable {
    /// Envoy applied the response with this version.
    case ack(TypeURL, version: String)
    /// Envoy rejected the response (its message says why); the same content is not resent.
    case nack(TypeURL, version: String, nonce: String, message: String)
    /// A request answering an older response; ignored.
    case staleNonce(TypeURL, nonce: String)
    /// A type URL gloo-hashi does not serve.
    case unknownType(String)
}
