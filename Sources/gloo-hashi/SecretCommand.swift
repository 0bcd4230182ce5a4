import ArgumentParser
import Controller
import Foundation
import GlooAPI
import Translator

/// `gloo-hashi secret create tls NAME --cert FILE --key FILE [--root-ca FILE]`.
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secret", abstract: "Create Secrets (TLS) in Vault or the directory.",
                                                    subcommands: [SecretCreate.self])
}

struct SecretCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a Secret.", subcommands: [SecretCreateTLS.self])
}

struct SecretCreateTLS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Create a TLS Secret from PEM files, checked first (chain, key pair, validity).",
        discussion: """
            Written in Gloo's layout: into Vault (KV v2: secret/data/gloo/gloo.solo.io/v1/Secret/<ns>/<name>) when Vault
            is configured, else into the --config-dir tree. The pair is checked before anything is written: the
            certificate and key must parse, belong together and be valid now. Create only: an existing Secret is a conflict.
            No key material is printed.

            Example:
              gloo-hashi secret create tls gateway-tls --cert tls.crt --key tls.key --vault-address https://vault:8200 --config-dir examples/consul-kv
            """
    )

    @Argument(help: "The Secret's name.") var name: String
    @Option(help: "The certificate chain (PEM), leaf first.") var cert: String
    @Option(help: "The private key (PEM).") var key: String
    @Option(help: "A CA bundle (PEM) to verify clients or upstreams with.") var rootCa: String?
    @Option(name: .shortAndLong, help: "The namespace (default gloo-system).") var namespace = "gloo-system"
    @OptionGroup var options: OperatorOptions

    func run() async throws {
        func read(_ path: String, _ flag: String) throws -> String {
            do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ValidationError("\(flag) \(path): cannot read it")
            }
        }
        let tls = TlsSecret(certChain: try read(cert, "--cert"), privateKey: SensitiveString(try read(key, "--key")),
                            rootCa: try rootCa.map { try read($0, "--root-ca") } ?? "")
        let (errors, warnings) = TLSSecretValidation.problems(tls, at: Date().timeIntervalSince1970)
        for warning in warnings { print("warning: \(warning)") }
        guard errors.isEmpty else {
            for error in errors { print("error: \(error)") }
            print("nothing written")
            throw ExitCode(1)
        }
        let secret = Secret(metadata: Metadata(name: name, namespace: namespace), content: .tls(tls))
        try await withBackends(options) { backends in
            let stored = try await backends.put(AnyResource(secret))
            print("Secret \(secret.ref) created in \(backends.vault != nil ? "vault" : backends.location) (version \(stored.metadata.resourceVersion))")
        }
    }
}
