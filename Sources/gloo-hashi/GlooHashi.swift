import ArgumentParser
import Controller
import GlooAPI

/// The `gloo-hashi` command: argument parsing and wiring only.
@main
struct GlooHashi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gloo-hashi",
        abstract: "A Gloo-compatible gateway control plane for Consul, Vault, Nomad and Envoy.",
        subcommands: [Run.self, Discovery.self, Get.self, Apply.self, Delete.self, RouteCommand.self, SecretCommand.self, Check.self,
                      Nomad.self, Translate.self, Validate.self, Version.self]
    )
}

/// `gloo-hashi version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("gloo-hashi \(GlooHashiVersion.current)")
    }
}
