import ArgumentParser
import Controller
import Foundation
import Logging

/// `gloo-hashi check`: one line per problem, non-zero exit when anything is wrong.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check Consul, Vault, Nomad, the controller, its Envoys and the resources; exit 1 on any problem.",
        discussion: """
            Consul, Vault and Nomad (those configured, with the flags and environment run uses) must be reachable and
            the tokens authorised for what the gateway does; the controller's admin API (--admin-address) must be
            ready; connected Envoys must not have rejected their last configuration; no resource may be rejected.
            Prints what passed, then one line per problem.

            Example:
              gloo-hashi check --admin-address 10.0.0.5:9091 --consul-address 127.0.0.1:8500
            """
    )

    @Option(help: "The controller's admin API, HOST:PORT (default 127.0.0.1:9091).") var adminAddress = "127.0.0.1:9091"
    @Option(help: "The Nomad agent (env NOMAD_ADDR).") var nomadAddress: String?
    @OptionGroup var options: OperatorOptions

    func run() async throws {
        var flags = options.flags
        flags.nomadAddress = nomadAddress
        let (effective, _) = try Run.resolve(flags)
        let outcome = await HealthCheck.run(effective, adminAddress: adminAddress, logger: OperatorOptions.logger)
        for line in outcome.passed { print("ok: \(line)") }
        for line in outcome.problems { print("problem: \(line)") }
        if !outcome.problems.isEmpty { throw ExitCode(1) }
    }
}
