import GlooAPI

/// How Gloo resources are named in Envoy (Gloo's own conventions, so dashboards keep working).
public enum EnvoyNames {
    /// `petstore_gloo-system` for Upstream `gloo-system/petstore`.
    public static func cluster(_ upstream: ResourceRef) -> String { "\(upstream.name)_\(upstream.namespace)" }

    /// `listener-::-8080`.
    public static func listener(bindAddress: String, port: UInt32) -> String { "listener-\(bindAddress)-\(port)" }

    /// `listener-::-8080-routes`: the RouteConfiguration of an HTTP listener.
    public static func routeConfiguration(listener: String) -> String { "\(listener)-routes" }

    /// `gloo-system_default` for VirtualService `gloo-system/default`.
    public static func virtualHost(_ service: ResourceRef) -> String { "\(service.namespace)_\(service.name)" }

    /// `gloo-system~gateway-proxy`: the xDS node group (Envoy's `node.metadata.role`).
    public static func nodeGroup(namespace: String, proxy: String) -> String { "\(namespace)~\(proxy)" }
}

extension EnvoyNames {
    /// `petstore-tls_gloo-system`: the SDS secret holding a Secret's certificate and key.
    public static func certificateSecret(_ secret: ResourceRef) -> String { "\(secret.name)_\(secret.namespace)" }

    /// `petstore-tls_gloo-system-ca`: the SDS secret holding a Secret's root CA.
    public static func validationSecret(_ secret: ResourceRef) -> String { "\(secret.name)_\(secret.namespace)-ca" }

    /// `vault-pki/pki/gateway/app.example.com`: the SDS secret of a certificate issued by Vault
    /// PKI, with a digest of the alt names, IP SANs and TTL when any is set (equal requests share it).
    public static func issuedCertificateSecret(_ request: VaultPkiCertificate) -> String {
        let base = "vault-pki/\(request.effectiveMount)/\(request.role)/\(request.commonName)"
        guard !request.altNames.isEmpty || !request.ipSans.isEmpty || request.ttl != nil else { return base }
        let extras = request.altNames.joined(separator: ",") + "|" + request.ipSans.joined(separator: ",") + "|"
            + (request.ttl.map { "\($0.seconds).\($0.nanos)" } ?? "")
        // FNV-1a: stable across processes, unlike Hasher.
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in extras.utf8 { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return base + "-" + String(digest, radix: 16)
    }
}

extension EnvoyNames {
    /// The xdstp authority and type of gloo-hashi's routing scopes.
    static let scopeCollectionRoot = "xdstp://gloo-hashi/envoy.config.route.v3.ScopedRouteConfiguration/"

    /// `xdstp://gloo-hashi/envoy.config.route.v3.ScopedRouteConfiguration/listener-__-8080-routes/*`:
    /// the glob collection one HTTP connection manager subscribes to (`srds_resources_locator`),
    /// so the scopes of two gateways never mix.
    public static func scopeCollection(routeConfiguration: String) -> String {
        scopeCollectionRoot + pathSegment(routeConfiguration) + "/*"
    }

    /// `xdstp://gloo-hashi/envoy.config.route.v3.ScopedRouteConfiguration/listener-__-8080-routes/api.example.com`:
    /// the scope of one domain in that collection.
    public static func scope(routeConfiguration: String, domain: String) -> String {
        scopeCollectionRoot + pathSegment(routeConfiguration) + "/" + domain
    }

    /// `listener-::-8080-routes/gloo-system_default`: the RouteConfiguration of one VirtualService
    /// in scoped mode.
    public static func scopedRouteConfiguration(routeConfiguration: String, service: ResourceRef) -> String {
        "\(routeConfiguration)/\(virtualHost(service))"
    }

    /// `name` with every character outside RFC 3986's unreserved set replaced by `_`, so the
    /// xdstp name needs no percent-encoding (Envoy and this server compare names as written).
    static func pathSegment(_ name: String) -> String {
        String(name.map { isUnreserved($0) ? $0 : "_" })
    }

    static func isUnreserved(_ character: Character) -> Bool {
        character.utf8.count == 1 && isUnreserved(character.utf8.first!)
    }

    /// Whether `byte` is an RFC 3986 unreserved character (ASCII letter, digit, `-._~`).
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5a, 0x61...0x7a, 0x2d, 0x2e, 0x5f, 0x7e: true
        default: false
        }
    }
}
