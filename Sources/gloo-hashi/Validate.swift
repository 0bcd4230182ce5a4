import ArgumentParser
import Controller
import GlooAPI

/// `gloo-hashi validate PATH...`: decode and cross-check resources, for users' CI.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate Gloo resources in KV-tree directories or files.",
        discussion: """
            Each PATH is a directory that mirrors a Consul KV tree (it holds gloo/<group>/<version>/<Kind>/<namespace>/<name>.yaml)
            or a file inside one. Every finding is printed as '<severity>: <key>: <field path>: <reason>'.
            Exits 1 when there is an error (with --strict, also on a warning).
            """
    )

    @Argument(help: "Directories or files to validate.")
    var paths: [String]

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Flag(help: "Secrets are kept outside the tree (in Vault): a reference to a Secret the tree lacks is not an error.")
    var externalSecrets = false

    @Option(help: "The root key of the tree.")
    var rootKey = ResourceKey.defaultRootKey

    func run() async throws {
        let report = await ConfigValidation.validate(paths: paths, rootKey: rootKey, externalSecrets: externalSecrets)
        for finding in report.findings { print(finding.description) }
        print("\(report.resourceCount) resources valid, \(report.errorCount) errors, \(report.warningCount) warnings")
        if report.errorCount > 0 || (strict && report.warningCount > 0) {
            throw ExitCode(1)
        }
    }
}
