import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// What a hybrid Gateway's matched gateway adds to the chains of its HTTP or TCP gateway: TLS or
/// not, the matcher's sslConfig as defaults, the source ranges, and where its fields and route
/// configurations are named. A plain Gateway's chains use `ChainMatch(gateway)`.
struct ChainMatch {
    /// Whether the chains serve TLS (VirtualServices with an sslConfig).
    var ssl: Bool
    /// The matcher's sslConfig: what the VirtualServices' own leave unset (Gloo's MergeSslConfig),
    /// and the SNI names of TCP hosts without any.
    var defaultSsl: SslConfig?
    var sourcePrefixRanges: [CidrRange] = []
    /// Prefix of the Gateway's field paths (`hybridGateway.matchedGateways[1].`), empty for a plain one.
    var fieldPrefix = ""
    /// Appended to the listener's RouteConfiguration names, so matched gateways never share one.
    var routeSuffix = ""

    init(_ gateway: Gateway) { ssl = gateway.ssl }

    /// `namespace`: the Gateway's, where the matcher's Secret lives unless it names another.
    init(hybrid matcher: GatewayMatcher?, index: Int, namespace: String) {
        ssl = matcher?.sslConfig != nil
        defaultSsl = matcher?.sslConfig
        if case .secretRef(let ref)? = defaultSsl?.source { defaultSsl?.source = .secretRef(ref.defaultingNamespace(to: namespace)) }
        sourcePrefixRanges = matcher?.sourcePrefixRanges ?? []
        fieldPrefix = "hybridGateway.matchedGateways[\(index)]."
        routeSuffix = "-matched-\(index)"
    }

    /// `path` under the Gateway.
    func field(_ path: String) -> String { fieldPrefix + path }

    /// A VirtualService's sslConfig with the matcher's values where it has none.
    func ssl(for own: SslConfig) -> SslConfig {
        guard let defaults = defaultSsl else { return own }
        var merged = own
        if merged.source == nil { merged.source = defaults.source }
        if merged.sniDomains.isEmpty { merged.sniDomains = defaults.sniDomains }
        if merged.verifySubjectAltName.isEmpty { merged.verifySubjectAltName = defaults.verifySubjectAltName }
        if merged.parameters == nil { merged.parameters = defaults.parameters }
        if merged.alpnProtocols.isEmpty { merged.alpnProtocols = defaults.alpnProtocols }
        if merged.oneWayTls == nil { merged.oneWayTls = defaults.oneWayTls }
        if merged.disableTlsSessionResumption == nil { merged.disableTlsSessionResumption = defaults.disableTlsSessionResumption }
        if merged.transportSocketConnectTimeout == nil { merged.transportSocketConnectTimeout = defaults.transportSocketConnectTimeout }
        if merged.ocspStaplePolicy == nil { merged.ocspStaplePolicy = defaults.ocspStaplePolicy }
        return merged
    }

    /// The source ranges as Envoy's, or why one is not an address range.
    func envoyRanges() -> Result<[Envoy_Config_Core_V3_CidrRange], TranslationFailure> {
        var ranges: [Envoy_Config_Core_V3_CidrRange] = []
        for (index, range) in sourcePrefixRanges.enumerated() {
            let path = field("matcher.sourcePrefixRanges[\(index)]")
            guard ClusterTranslator.isIPAddress(range.addressPrefix) else {
                return .failure(TranslationFailure(fieldPath: path + ".addressPrefix", reason: "'\(range.addressPrefix)' is not an IP address"))
            }
            let limit: UInt32 = range.addressPrefix.contains(":") ? 128 : 32
            if let length = range.prefixLen, length > limit {
                return .failure(TranslationFailure(fieldPath: path + ".prefixLen", reason: "prefixLen \(length) is longer than \(limit)"))
            }
            var envoy = Envoy_Config_Core_V3_CidrRange()
            envoy.addressPrefix = range.addressPrefix
            if let length = range.prefixLen { envoy.prefixLen = Google_Protobuf_UInt32Value(length) }
            ranges.append(envoy)
        }
        return .success(ranges)
    }
}
