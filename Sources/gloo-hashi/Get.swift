import ArgumentParser
import Controller
import Foundation
import GlooAPI

/// `gloo-hashi get <kind> [name] [-n ns | -A] [-o table|yaml|json]`.
struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or show Gloo resources from the configured store, with their status.",
        discussion: """
            KIND is virtualservice (vs), upstream (us), routetable (rt), gateway (gw), upstreamgroup (ug) or secret. The
            STATUS column is what the controller wrote back: Accepted, Rejected or Warning with the reason, Pending before
            the first translation. Secrets come from Vault when it is configured and never show key material.

            Examples:
              gloo-hashi get vs -A --consul-address 127.0.0.1:8500
              gloo-hashi get us petstore -n gloo-system -o yaml --config-dir examples/consul-kv
            """
    )

    @Argument(help: "The kind of resource.")
    var kind: String

    @Argument(help: "One resource's name (default: all of the kind).")
    var name: String?

    @Option(name: .shortAndLong, help: "The namespace (default gloo-system).")
    var namespace = "gloo-system"

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Every namespace.")
    var allNamespaces = false

    @Option(name: .shortAndLong, help: "table, yaml or json.")
    var output: OutputFormat = .table

    @OptionGroup var options: OperatorOptions

    func run() async throws {
        let kind = try resourceKind(self.kind)
        try await withBackends(options) { backends in
            var resources: [AnyResource]
            if let name {
                guard let found = try await backends.get(kind: kind, ref: ResourceRef(name: name, namespace: namespace)) else {
                    FileHandle.standardError.write(Data("error: \(kind.name) \(namespace)/\(name) not found in \(backends.location)\n".utf8))
                    throw ExitCode(1)
                }
                resources = [found]
            } else {
                resources = try await backends.resources(of: kind, namespace: allNamespaces ? nil : namespace)
            }
            resources = resources.map(ResourceTable.printable)
            switch output {
            case .table:
                print(ResourceTable.render(ResourceTable.rows(resources, statusNamespace: backends.statusNamespace)), terminator: "")
            case .yaml:
                print(resources.map { "# \(kind.name) \($0.metadata.namespace)/\($0.metadata.name), version \($0.metadata.resourceVersion)\n" + yaml($0) }
                    .joined(separator: "---\n"),
                      terminator: "")
            case .json:
                let objects = resources.compactMap { try? JSONSerialization.jsonObject(with: Data(json($0).utf8)) }
                let data = try JSONSerialization.data(withJSONObject: name != nil ? objects.first ?? [:] : objects,
                                                      options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    func yaml(_ resource: AnyResource) -> String {
        func open<R: Resource>(_ value: R) -> String { ResourceCodec.yaml(value) }
        return open(resource.resource)
    }

    func json(_ resource: AnyResource) -> String {
        func open<R: Resource>(_ value: R) -> String { ResourceCodec.json(value) }
        return open(resource.resource)
    }
}
