import ArgumentParser
import Controller
import Foundation
import GlooAPI

/// `gloo-hashi delete <kind> <name> [-n ns] [--force]`.
struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a resource; an Upstream or RouteTable that routes still use only with --force.",
        discussion: """
            Refuses to delete an Upstream or RouteTable that routes, UpstreamGroups or TCP hosts still use, and names them.
            The delete is compare-and-set on the version just read.

            Example:
              gloo-hashi delete us petstore -n gloo-system --consul-address 127.0.0.1:8500
            """
    )

    @Argument(help: "The kind of resource.")
    var kind: String

    @Argument(help: "Its name.")
    var name: String

    @Option(name: .shortAndLong, help: "The namespace (default gloo-system).")
    var namespace = "gloo-system"

    @Flag(help: "Delete even when routes still use it.")
    var force = false

    @OptionGroup var options: OperatorOptions

    func run() async throws {
        let kind = try resourceKind(self.kind)
        let ref = ResourceRef(name: name, namespace: namespace)
        try await withBackends(options) { backends in
            guard let existing = try await backends.get(kind: kind, ref: ref) else {
                print("error: \(kind.name) \(ref) not found in \(backends.location)")
                throw ExitCode(1)
            }
            if [.upstream, .routeTable].contains(kind), !force {
                let users = ConfigurationChange.users(of: kind, ref, in: try await backends.listing().resources, rootKey: backends.rootKey)
                if !users.isEmpty {
                    print("error: \(kind.name) \(ref) is still used by:")
                    for user in users { print("  \(user)") }
                    print("nothing deleted; change those first, or delete with --force")
                    throw ExitCode(1)
                }
            }
            try await backends.delete(kind: kind, ref: ref, resourceVersion: existing.metadata.resourceVersion)
            print("\(kind.name) \(ref) deleted")
        }
    }
}
