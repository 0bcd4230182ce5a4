import ArgumentParser
import Controller
import Foundation
import GlooAPI
import Logging

/// Where the operator commands find the configuration: the same flags and environment as `run`
/// (--config-dir or Consul KV; Vault for Secrets), resolved the same way.
struct OperatorOptions: ParsableArguments {
    @Option(help: "A directory that mirrors a Consul KV tree of Gloo resources.")
    var configDir: String?

    @Option(help: "The Consul agent, http(s)://HOST:PORT (env CONSUL_HTTP_ADDR; token from CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE).")
    var consulAddress: String?

    @Option(help: "A file holding the Consul ACL token.")
    var consulTokenFile: String?

    @Option(help: "Vault, for Secrets (env VAULT_ADDR; token from VAULT_TOKEN, --vault-token-file, or VAULT_ROLE_ID and VAULT_SECRET_ID).")
    var vaultAddress: String?

    @Option(help: "A file holding the Vault token.")
    var vaultTokenFile: String?

    @Option(help: "A file holding the Vault AppRole role_id (with --vault-secret-id-file).")
    var vaultRoleIdFile: String?

    @Option(help: "A file holding the Vault AppRole secret_id.")
    var vaultSecretIdFile: String?

    @Option(help: "A Gloo Settings YAML file.")
    var settings: String?

    @Option(help: "The root key of the tree (default gloo).")
    var rootKey: String?

    var flags: RunFlags {
        var flags = RunFlags()
        flags.configDir = configDir
        flags.consulAddress = consulAddress
        flags.consulTokenFile = consulTokenFile
        flags.vaultAddress = vaultAddress
        flags.vaultTokenFile = vaultTokenFile
        flags.vaultRoleIDFile = vaultRoleIdFile
        flags.vaultSecretIDFile = vaultSecretIdFile
        flags.settingsFile = settings
        flags.rootKey = rootKey
        return flags
    }

    /// A logger for warnings only, on standard error.
    static let logger: Logger = {
        var logger = Logger(label: "gloo-hashi") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .warning
        return logger
    }()

    /// The configuration, the stores opened from it, and where they are and which credentials
    /// they use (for error messages; never a token).
    func open() async throws -> (backends: OperatorBackends, context: String) {
        let (effective, _) = try Run.resolve(flags)
        let configuration: RunConfiguration
        do {
            configuration = try RunConfiguration(effective)
        } catch {
            throw ValidationError(error.description)
        }
        var context = "\(configurationLocation(configuration))"
        if case .consul = configuration.source {
            context += effective.consulToken.value.revealed.isEmpty ? " without a Consul token"
                : " with the Consul token from \(effective.consulToken.provenance)"
        }
        if let vault = effective.vaultAddress.value { context += "; vault \(vault)" }
        do {
            return (try await OperatorBackends.open(configuration, logger: Self.logger), context)
        } catch {
            throw ValidationError("\(context): \(error)")
        }
    }

    private func configurationLocation(_ configuration: RunConfiguration) -> String {
        switch configuration.source {
        case .directory(let directory): "directory \(directory)"
        case .consul(let consul): "consul \(consul.baseURL)"
        }
    }
}

/// Output formats of `get` and `route add --dry-run`.
enum OutputFormat: String, ExpressibleByArgument {
    case table, yaml, json
}

/// Runs `body` with the stores open and closes them afterwards; store errors become plain messages.
func withBackends(_ options: OperatorOptions, _ body: (OperatorBackends) async throws -> Void) async throws {
    let (backends, context) = try await options.open()
    do {
        try await body(backends)
    } catch let exit as ExitCode {
        await backends.shutdown()
        throw exit
    } catch let validation as ValidationError {
        await backends.shutdown()
        throw validation
    } catch {
        await backends.shutdown()
        FileHandle.standardError.write(Data("error: \(error)\n  (\(context))\n".utf8))
        throw ExitCode(1)
    }
    await backends.shutdown()
}

/// Parses a kind argument, or says which names are accepted.
func resourceKind(_ text: String) throws -> ResourceKind {
    guard let kind = ResourceKindName.parse(text) else {
        throw ValidationError("unknown kind '\(text)'; use one of: \(ResourceKindName.accepted)")
    }
    return kind
}
