import ArgumentParser
import Controller
import GlooAPI

/// `gloo-hashi translate`: the Envoy configuration a directory would produce, without serving it.
struct Translate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the Envoy resources and reports a configuration directory translates to.",
        discussion: "Private keys are printed as [redacted]. Exits 1 when a resource is rejected."
    )

    @Option(help: "A directory that mirrors a Consul KV tree of Gloo resources.")
    var configDir: String

    @Option(help: "Only this proxy (its name, e.g. gateway-proxy, or its group, e.g. gloo-system~gateway-proxy).")
    var proxy: String?

    @Option(name: .shortAndLong, help: "Output format: json or yaml.")
    var output = "json"

    @Option(help: "The root key of the tree.")
    var rootKey = ResourceKey.defaultRootKey

    func validate() throws {
        guard ["json", "yaml"].contains(output) else { throw ValidationError("-o must be json or yaml") }
    }

    func run() async throws {
        let result = try await OfflineTranslation.translate(directory: configDir, rootKey: rootKey)
        print(try OfflineTranslation.render(result, proxy: proxy, yaml: output == "yaml"), terminator: "")
        if result.reports.problems.contains(where: { $0.state == .rejected }) { throw ExitCode(1) }
    }
}
