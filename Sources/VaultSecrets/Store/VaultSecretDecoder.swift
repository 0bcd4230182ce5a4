import Foundation
import GlooAPI

/// One Vault entry as a Gloo Secret: Gloo's body (the Secret resource as JSON, REFERENCE.md
/// section 5) or a plain entry written by hand (`tls.crt`, `tls.key`, `ca.crt`). Its KV version
/// becomes the resourceVersion.
public enum VaultSecretDecoder {
    public static func decode(_ data: Data, key: ResourceKey, version: Int) -> ResourceCodec.Decoded<Secret> {
        if let plain = try? JSONSerialization.jsonObject(with: data) as? [String: Any], plain["tls.crt"] != nil || plain["tls.key"] != nil {
            guard let certificate = plain["tls.crt"] as? String, let privateKey = plain["tls.key"] as? String else {
                return .init(resource: nil, problems: [FieldProblem(.error, fieldPath: "tls.key",
                                                                    reason: "a plain TLS entry needs both tls.crt and tls.key")])
            }
            var secret = Secret(metadata: Metadata(name: key.name, namespace: key.namespace),
                                content: .tls(TlsSecret(certChain: certificate, privateKey: SensitiveString(privateKey),
                                                        rootCa: plain["ca.crt"] as? String ?? "")))
            secret.metadata.resourceVersion = String(version)
            return .init(resource: secret, problems: secret.semanticProblems())
        }
        return ResourceCodec.decode(Secret.self, from: data, key: key, resourceVersion: String(version))
    }
}
