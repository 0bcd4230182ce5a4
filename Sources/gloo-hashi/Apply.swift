import ArgumentParser
import Controller
import Foundation
import GlooAPI

/// `gloo-hashi apply -f FILE|DIR|- [--dry-run]`.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or update resources from manifests, with compare-and-set.",
        discussion: """
            -f takes Gloo manifests (apiVersion: gateway.solo.io/v1, kind, metadata, spec; several per file separated by
            ---), a directory of them or of a KV tree, or - for standard input. Every document is validated first; if any
            is invalid nothing is written. Each write is compare-and-set on the version just read, so a concurrent change
            is reported as a conflict instead of being overwritten; statuses already stored are kept.
            --dry-run translates the whole configuration with the change applied and prints what would be rejected or
            warned, writing nothing.

            Examples:
              gloo-hashi apply -f vs.yaml --consul-address 127.0.0.1:8500
              cat upstreams.yaml | gloo-hashi apply -f - --dry-run --config-dir examples/consul-kv
            """
    )

    @Option(name: .shortAndLong, help: "A manifest file, a directory, or - for standard input.")
    var file: String

    @Flag(help: "Print what would be rejected or warned, and write nothing.")
    var dryRun = false

    @OptionGroup var options: OperatorOptions

    func run() async throws {
        try await withBackends(options) { backends in
            let documents = try ManifestReader.read(file, rootKey: backends.rootKey)
            var invalid = false
            for document in documents where document.resource == nil || !document.problems.isEmpty {
                for problem in document.problems { print("\(document.resource == nil ? "error" : "warning"): \(document.source): \(problem)") }
                invalid = invalid || document.resource == nil
            }
            guard !invalid else {
                print("nothing written: fix the documents above")
                throw ExitCode(1)
            }
            let resources = documents.compactMap(\.resource)
            let versions = documents.map(\.resourceVersion)
            if dryRun {
                let problems = ConfigurationChange.dryRun(try await backends.listing(), applying: resources, rootKey: backends.rootKey)
                for resource in resources { print("would apply \(resource.kind.name) \(resource.metadata.ref)") }
                for problem in problems { print(problem.description) }
                print(problems.isEmpty ? "dry run: no resource would be rejected or warned; nothing written"
                    : "dry run: \(problems.count) resources would be rejected or warned; nothing written")
                if problems.contains(where: { $0.state == "Rejected" }) { throw ExitCode(1) }
                return
            }
            var failed = false
            for (resource, version) in zip(resources, versions) {
                let existing = try await backends.get(kind: resource.kind, ref: resource.metadata.ref)
                // Compare-and-set on the manifest's resourceVersion when it has one, else on the version just read;
                // the statuses stay as they are until the controller writes new ones.
                let change = Self.carrying(existing, into: resource, version: version)
                do {
                    let stored = try await backends.put(change)
                    print("\(resource.kind.name) \(resource.metadata.ref) \(existing == nil ? "created" : "configured") (version \(stored.metadata.resourceVersion))")
                } catch let error as StoreError {
                    print("error: \(resource.kind.name) \(resource.metadata.ref): \(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    static func carrying(_ existing: AnyResource?, into change: AnyResource, version: String?) -> AnyResource {
        func open<R: Resource>(_ value: R) -> AnyResource {
            var copy = value
            copy.metadata.resourceVersion = version ?? existing?.metadata.resourceVersion ?? ""
            if let statuses = existing?.resource.namespacedStatuses { copy.namespacedStatuses = statuses }
            return AnyResource(copy)
        }
        return open(change.resource)
    }
}
