import GlooAPI
import Translator

/// What a change to the stored configuration would do, worked out offline with the translator
/// the controller runs: `apply --dry-run` (Gloo did this with its validation webhook) and
/// `delete`'s protection of Upstreams and RouteTables that routes still use.
public enum ConfigurationChange {
    /// One resource's problem after the change.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public var key: String
        public var state: String
        public var reasons: [String]
        public var description: String { "\(state) \(key): \(reasons.joined(separator: "; "))" }
    }

    /// The problems of the changed resources after the change, and every other problem the change
    /// causes (ones already there before are not repeated).
    public static func dryRun(
        _ listing: ResourceListing, applying changes: [AnyResource], deleting deletions: [(ResourceKind, ResourceRef)] = [], rootKey: String
    ) -> [Problem] {
        var after = listing.resources
        for change in changes where !after.replace(change) { after.insert(change) }
        for (kind, ref) in deletions { after.remove(kind, ref) }
        after.sort()
        let translator = Translator(rootKey: rootKey)
        let before = problems(translator.translate(ApiSnapshot(resources: listing.resources, findings: listing.findings)).reports)
        let now = problems(translator.translate(ApiSnapshot(resources: after, findings: listing.findings)).reports)
        let changedKeys = Set(changes.map { ResourceKey(rootKey: rootKey, kind: $0.kind, namespace: $0.metadata.namespace, name: $0.metadata.name).key })
        var result = now.filter { changedKeys.contains($0.key) || !before.contains($0) }
        // References of the changed resources are checked even where no Gateway serves them yet
        // (translation only reports what it serves). Secrets may live in Vault: not looked for.
        let reported = Set(result.map(\.key))
        var referenceProblems: [String: Problem] = [:]
        for finding in ReferenceChecker.check(ApiSnapshot(resources: after, findings: listing.findings), rootKey: rootKey, checksSecrets: false)
        where changedKeys.contains(finding.key) && !reported.contains(finding.key) {
            var problem = referenceProblems[finding.key] ?? Problem(key: finding.key, state: "Warning", reasons: [])
            // As translation treats them: a route to something missing answers 500 and warns; other errors reject.
            if finding.severity == .error, !finding.fieldPath.contains("routes[") { problem.state = "Rejected" }
            problem.reasons.append(finding.fieldPath.isEmpty ? finding.reason : "\(finding.fieldPath): \(finding.reason)")
            referenceProblems[finding.key] = problem
        }
        result += referenceProblems.keys.sorted().map { referenceProblems[$0]! }
        return result
    }

    /// Where routes, UpstreamGroups or TCP hosts use the Upstream or RouteTable `ref`, as
    /// `<key>: <field path>`; empty when nothing does.
    public static func users(of kind: ResourceKind, _ ref: ResourceRef, in resources: ResourceSet, rootKey: String) -> [String] {
        var without = resources
        guard without.remove(kind, ref) else { return [] }
        let before = Set(ReferenceChecker.check(ApiSnapshot(resources: resources), rootKey: rootKey, checksSecrets: false))
        return ReferenceChecker.check(ApiSnapshot(resources: without), rootKey: rootKey, checksSecrets: false)
            .filter { !before.contains($0) && $0.reason.contains("\(ref)") }
            .map { $0.fieldPath.isEmpty ? $0.key : "\($0.key): \($0.fieldPath)" }
    }

    private static func problems(_ reports: Reports) -> [Problem] {
        reports.problems.map { Problem(key: $0.key, state: $0.state.rawValue, reasons: $0.errors + $0.warnings) }
    }
}
