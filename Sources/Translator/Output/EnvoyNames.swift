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
}
