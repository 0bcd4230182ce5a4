import ArgumentParser
import Controller
import Foundation
import GlooAPI

/// `gloo-hashi route add ...`: routes from the terminal, like `glooctl add route`.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "route", abstract: "Add routes to VirtualServices.",
                                                    subcommands: [RouteAdd.self])
}

struct RouteAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a route to a VirtualService (created with domain * when missing).",
        discussion: """
            The route matches a path (--path-prefix, --path-exact or --path-regex), optionally headers (--header
            NAME=VALUE, or NAME for presence) and methods, and goes to an Upstream (--dest-name, --dest-namespace) or a
            Consul service (--consul-service), optionally rewriting the prefix. It goes first (--index to place it
            elsewhere) in the VirtualService --name (default "default") in --namespace (default gloo-system). The result
            is translated before anything is written: a route that would reject the VirtualService is refused.
            The write is compare-and-set.

            Examples:
              gloo-hashi route add --path-prefix /api --dest-name petstore --prefix-rewrite /v2 --consul-address 127.0.0.1:8500
              gloo-hashi route add --path-exact /health --method GET --dest-name echo --dry-run -o yaml --config-dir examples/consul-kv
            """
    )

    @Option(help: "Match requests whose path starts with this.") var pathPrefix: String?
    @Option(help: "Match this exact path.") var pathExact: String?
    @Option(help: "Match paths by this regular expression (RE2).") var pathRegex: String?
    @Option(help: "A header to match, NAME=VALUE or NAME (repeatable).") var header: [String] = []
    @Option(help: "An HTTP method to match (repeatable).") var method: [String] = []
    @Option(help: "The destination Upstream.") var destName: String?
    @Option(help: "The destination Upstream's namespace (default gloo-system).") var destNamespace = "gloo-system"
    @Option(help: "A Consul service as the destination instead of an Upstream.") var consulService: String?
    @Option(help: "Rewrite the matched prefix to this.") var prefixRewrite: String?
    @Option(help: "The VirtualService (default \"default\").") var name = "default"
    @Option(name: .shortAndLong, help: "The VirtualService's namespace (default gloo-system).") var namespace = "gloo-system"
    @Option(help: "Where in the route list (default 0, the top).") var index: Int?
    @Flag(help: "Print the VirtualService as it would be, and write nothing.") var dryRun = false
    @Option(name: .shortAndLong, help: "With --dry-run: yaml or json (default yaml).") var output: OutputFormat = .yaml
    @OptionGroup var options: OperatorOptions

    func validate() throws {
        if [pathPrefix, pathExact, pathRegex].compactMap({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --path-prefix, --path-exact, --path-regex")
        }
        if (destName == nil) == (consulService == nil) { throw ValidationError("give --dest-name or --consul-service") }
    }

    func run() async throws {
        let path: RouteAddition.PathMatch = if let pathPrefix { .prefix(pathPrefix) } else if let pathExact { .exact(pathExact) } else {
            .regex(pathRegex ?? "")
        }
        let target: RouteAddition.Target = if let destName { .upstream(ResourceRef(name: destName, namespace: destNamespace)) } else {
            .consulService(consulService ?? "")
        }
        let addition = RouteAddition(path: path, headers: header, methods: method, target: target, prefixRewrite: prefixRewrite)
        let ref = ResourceRef(name: name, namespace: namespace)
        try await withBackends(options) { backends in
            let existing = try await backends.get(kind: .virtualService, ref: ref)?.typed(VirtualService.self)
            let service: VirtualService
            do {
                service = try addition.applied(to: existing, ref: ref, index: index, rootKey: backends.rootKey)
            } catch {
                throw ValidationError("\(error)")
            }
            let problems = ConfigurationChange.dryRun(try await backends.listing(), applying: [AnyResource(service)], rootKey: backends.rootKey)
            for problem in problems { print(problem.description) }
            if dryRun {
                print(output == .json ? ResourceCodec.json(service) : ResourceCodec.yaml(service), terminator: "")
                return
            }
            if problems.contains(where: { $0.state == "Rejected" }) {
                print("nothing written: the route would leave something rejected")
                throw ExitCode(1)
            }
            let stored = try await backends.put(AnyResource(service))
            print("VirtualService \(ref) \(existing == nil ? "created" : "configured") (version \(stored.metadata.resourceVersion)); "
                + "\(service.virtualHost?.routes.count ?? 0) routes")
        }
    }
}
