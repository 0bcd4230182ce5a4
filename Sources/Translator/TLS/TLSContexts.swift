import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// TLS contexts and SDS secrets. Certificates travel as SDS Secrets referenced by name, so a
/// rotation changes one Secret and never the listener or cluster that uses it.
struct TLSContexts {
    let secrets: [ResourceRef: TlsSecret]
    /// Secrets that exist but failed their checks.
    let rejected: Set<ResourceRef>
    /// Secrets served at their last good version because the newest one is rejected, and why.
    let stale: [ResourceRef: String]
    /// Certificates issued for `vaultPki` requests, and why the missing ones are missing.
    let issued: IssuedCertificates
    /// SDS secrets the contexts built so far refer to, by name.
    private(set) var used: [String: Envoy_Extensions_TransportSockets_Tls_V3_Secret] = [:]

    static let transportSocket = "envoy.transport_sockets.tls"
    static let defaultAlpn = ["h2", "http/1.1"]

    /// Downstream ALPN as Gloo sets it: `h2, http/1.1` unless given; `[allow_empty]` means none.
    static func downstreamAlpn(_ protocols: [String]) -> [String] {
        if protocols.isEmpty { return defaultAlpn }
        return protocols == ["allow_empty"] ? [] : protocols
    }

    init(
        secrets: [ResourceRef: TlsSecret], rejected: Set<ResourceRef> = [], stale: [ResourceRef: String] = [:],
        issued: IssuedCertificates = IssuedCertificates()
    ) {
        self.secrets = secrets
        self.rejected = rejected
        self.stale = stale
        self.issued = issued
    }

    enum Failure: Error, CustomStringConvertible {
        case missingSecret(ResourceRef)
        case rejectedSecret(ResourceRef)
        case notTLS(ResourceRef)
        case noCertificate(ResourceRef)
        case unsupported(String)
        case invalidRequest(String)
        case notIssued(VaultPkiCertificate, String?)

        var description: String {
            switch self {
            case .missingSecret(let ref): "Secret \(ref) not found"
            case .rejectedSecret(let ref): "Secret \(ref) is rejected (see its report)"
            case .notTLS(let ref): "Secret \(ref) is not a TLS secret"
            case .noCertificate(let ref): "Secret \(ref) has no certChain and privateKey"
            case .unsupported(let what): "\(what) is not supported by gloo-hashi"
            case .invalidRequest(let problem): problem
            case .notIssued(let request, let problem):
                "Vault PKI has not issued the certificate (\(request.summary))" + (problem.map { ": \($0)" } ?? "")
            }
        }
    }

    /// The common context for `source`, requiring a certificate when `needsCertificate`. With
    /// `oneWay` (Gloo's `oneWayTls`) an upstream context presents no client certificate and a
    /// downstream one carries no validation context, so clients are not even asked for one.
    mutating func common(
        source: SslSource?, parameters: SslParameters?, alpn: [String], verifySubjectAltName: [String],
        namespace: String, needsCertificate: Bool, oneWay: Bool = false
    ) throws(Failure) -> Envoy_Extensions_TransportSockets_Tls_V3_CommonTlsContext {
        var common = try material(
            source: source, verifySubjectAltName: verifySubjectAltName, namespace: namespace,
            needsCertificate: needsCertificate, presents: !(oneWay && !needsCertificate), verifies: !(oneWay && needsCertificate))
        if let parameters { common.tlsParams = Self.parameters(parameters) }
        common.alpnProtocols = alpn
        return common
    }

    /// The certificate and validation parts of a context: `presents` adds the certificate,
    /// `verifies` the CA and SAN checks (each only with what the SDS secrets it names need).
    private mutating func material(
        source: SslSource?, verifySubjectAltName: [String], namespace: String, needsCertificate: Bool,
        presents: Bool, verifies: Bool
    ) throws(Failure) -> Envoy_Extensions_TransportSockets_Tls_V3_CommonTlsContext {
        var common = Envoy_Extensions_TransportSockets_Tls_V3_CommonTlsContext()
        switch source {
        case .secretRef(let reference):
            let ref = reference.defaultingNamespace(to: namespace)
            guard let tls = secrets[ref] else { throw rejected.contains(ref) ? .rejectedSecret(ref) : .missingSecret(ref) }
            if !tls.certChain.isEmpty && !tls.privateKey.revealed.isEmpty {
                if presents {
                    common.tlsCertificateSdsSecretConfigs = [sds(EnvoyNames.certificateSecret(ref))]
                    used[EnvoyNames.certificateSecret(ref)] = Self.certificateSecret(ref, tls)
                }
            } else if needsCertificate {
                throw .noCertificate(ref)
            }
            if !tls.rootCa.isEmpty && verifies {
                // The CA is one SDS secret per Secret; the SANs are this use's own, inline (two
                // uses of one Secret with different SANs must not share, or lose, a SAN check).
                let name = EnvoyNames.validationSecret(ref)
                used[name] = Self.validationSecret(ref, tls)
                if verifySubjectAltName.isEmpty {
                    common.validationContextSdsSecretConfig = sds(name)
                } else {
                    var combined = Envoy_Extensions_TransportSockets_Tls_V3_CommonTlsContext.CombinedCertificateValidationContext()
                    combined.defaultValidationContext.matchTypedSubjectAltNames = Self.subjectAltNames(verifySubjectAltName)
                    combined.validationContextSdsSecretConfig = sds(name)
                    common.combinedValidationContext = combined
                }
            }
        case .sslFiles(let files):
            if !files.tlsCert.isEmpty {
                if presents {
                    var certificate = Envoy_Extensions_TransportSockets_Tls_V3_TlsCertificate()
                    certificate.certificateChain.filename = files.tlsCert
                    certificate.privateKey.filename = files.tlsKey
                    if !files.ocspStaple.isEmpty { certificate.ocspStaple.filename = files.ocspStaple }
                    common.tlsCertificates = [certificate]
                }
            } else if needsCertificate {
                throw .unsupported("sslFiles without tlsCert")
            }
            if !files.rootCa.isEmpty && verifies {
                var validation = Envoy_Extensions_TransportSockets_Tls_V3_CertificateValidationContext()
                validation.trustedCa.filename = files.rootCa
                validation.matchTypedSubjectAltNames = Self.subjectAltNames(verifySubjectAltName)
                common.validationContext = validation
            }
        case .vaultPki(let request):
            guard needsCertificate else { throw .unsupported("vaultPki on an Upstream (it is for downstream sslConfig)") }
            if let problem = request.problem { throw .invalidRequest(problem) }
            guard let tls = issued.certificates[request] else { throw .notIssued(request, issued.problems[request]) }
            let name = EnvoyNames.issuedCertificateSecret(request)
            common.tlsCertificateSdsSecretConfigs = [sds(name)]
            used[name] = Self.certificateSecret(named: name, tls)
        case .sds:
            throw .unsupported("sds (Gloo's external SDS server)")
        case nil:
            if needsCertificate { throw .unsupported("an sslConfig without secretRef or sslFiles") }
        }
        return common
    }

    /// A warning for a context that translated but serves something not current: a secret kept at
    /// its last good version, or an issued certificate whose renewal is failing.
    func warning(for source: SslSource?, namespace: String) -> String? {
        switch source {
        case .secretRef(let reference):
            let ref = reference.defaultingNamespace(to: namespace)
            return stale[ref].map { "Secret \(ref) keeps its last good version: \($0)" }
        case .vaultPki(let request):
            return issued.problems[request].map { "Vault PKI certificate (\(request.summary)) is not being renewed: \($0)" }
        default:
            return nil
        }
    }

    /// Adds secrets an earlier (cached) translation used.
    mutating func adopt(_ secrets: [String: Envoy_Extensions_TransportSockets_Tls_V3_Secret]) {
        used.merge(secrets) { first, _ in first }
    }

    /// The secret `source` references, for cache keys.
    func referenced(_ source: SslSource?, namespace: String) -> (secret: TlsSecret?, rejected: Bool) {
        guard case .secretRef(let reference)? = source else { return (nil, false) }
        let ref = reference.defaultingNamespace(to: namespace)
        return (secrets[ref], rejected.contains(ref))
    }

    private func sds(_ name: String) -> Envoy_Extensions_TransportSockets_Tls_V3_SdsSecretConfig {
        var config = Envoy_Extensions_TransportSockets_Tls_V3_SdsSecretConfig()
        config.name = name
        config.sdsConfig.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
        config.sdsConfig.resourceApiVersion = .v3
        return config
    }

    static func certificateSecret(_ ref: ResourceRef, _ tls: TlsSecret) -> Envoy_Extensions_TransportSockets_Tls_V3_Secret {
        certificateSecret(named: EnvoyNames.certificateSecret(ref), tls)
    }

    static func certificateSecret(named name: String, _ tls: TlsSecret) -> Envoy_Extensions_TransportSockets_Tls_V3_Secret {
        var secret = Envoy_Extensions_TransportSockets_Tls_V3_Secret()
        secret.name = name
        var certificate = Envoy_Extensions_TransportSockets_Tls_V3_TlsCertificate()
        certificate.certificateChain.inlineString = tls.certChain
        certificate.privateKey.inlineString = tls.privateKey.revealed
        if !tls.ocspStaple.isEmpty { certificate.ocspStaple.inlineString = tls.ocspStaple }
        secret.tlsCertificate = certificate
        return secret
    }

    /// The Secret's CA as an SDS validation secret; SAN checks belong to each use, not here.
    static func validationSecret(_ ref: ResourceRef, _ tls: TlsSecret) -> Envoy_Extensions_TransportSockets_Tls_V3_Secret {
        var secret = Envoy_Extensions_TransportSockets_Tls_V3_Secret()
        secret.name = EnvoyNames.validationSecret(ref)
        var validation = Envoy_Extensions_TransportSockets_Tls_V3_CertificateValidationContext()
        validation.trustedCa.inlineString = tls.rootCa
        secret.validationContext = validation
        return secret
    }

    static func subjectAltNames(_ names: [String]) -> [Envoy_Extensions_TransportSockets_Tls_V3_SubjectAltNameMatcher] {
        names.map { name in
            var matcher = Envoy_Extensions_TransportSockets_Tls_V3_SubjectAltNameMatcher()
            matcher.sanType = .dns
            matcher.matcher.exact = name
            return matcher
        }
    }

    static func parameters(_ parameters: SslParameters) -> Envoy_Extensions_TransportSockets_Tls_V3_TlsParameters {
        var envoy = Envoy_Extensions_TransportSockets_Tls_V3_TlsParameters()
        if let minimum = parameters.minimumProtocolVersion { envoy.tlsMinimumProtocolVersion = version(minimum) }
        if let maximum = parameters.maximumProtocolVersion { envoy.tlsMaximumProtocolVersion = version(maximum) }
        envoy.cipherSuites = parameters.cipherSuites
        envoy.ecdhCurves = parameters.ecdhCurves
        return envoy
    }

    private static func version(_ version: SslParameters.ProtocolVersion) -> Envoy_Extensions_TransportSockets_Tls_V3_TlsParameters.TlsProtocol {
        switch version {
        case .tlsAuto: .tlsAuto
        case .tlsV1_0: .tlsv10
        case .tlsV1_1: .tlsv11
        case .tlsV1_2: .tlsv12
        case .tlsV1_3: .tlsv13
        }
    }

    /// Wraps a TLS context as a transport socket.
    static func transportSocket(_ context: some SwiftProtobuf.Message) throws -> Envoy_Config_Core_V3_TransportSocket {
        var socket = Envoy_Config_Core_V3_TransportSocket()
        socket.name = transportSocket
        socket.typedConfig = try Google_Protobuf_Any(message: context)
        return socket
    }
}
