import Foundation
import GlooAPI
import SwiftProtobuf
import Testing

@testable import Translator

/// The translator's reuse account must say exactly what a byte comparison of consecutive
/// translations says: the publisher trusts it to rebuild only what it names.
@Suite struct ReuseAccountTests {
    typealias World = IncrementalTranslationTests

    /// The account a full serialization of both translations gives for one kind.
    static func byteComparison<M: SwiftProtobuf.Message>(_ current: [M], _ previous: [M], name: (M) -> String) throws
        -> ReuseAccount.Change
    {
        guard current.map(name) == previous.map(name) else { return .reshaped }
        let now = try current.map { try EnvoyResources.serialize($0) }
        let then = try previous.map { try EnvoyResources.serialize($0) }
        let positions = now.indices.filter { now[$0] != then[$0] }
        return positions.isEmpty ? .unchanged : .changed(positions: positions)
    }

    static func byteComparison(_ current: EnvoyResources, _ previous: EnvoyResources) throws -> [ReuseAccount.Kind: ReuseAccount.Change] {
        [
            .clusters: try byteComparison(current.clusters, previous.clusters) { $0.name },
            .loadAssignments: try byteComparison(current.loadAssignments, previous.loadAssignments) { $0.clusterName },
            .listeners: try byteComparison(current.listeners, previous.listeners) { $0.name },
            .routeConfigurations: try byteComparison(current.routeConfigurations, previous.routeConfigurations) { $0.name },
            .scopedRoutes: try byteComparison(current.scopedRouteConfigurations, previous.scopedRouteConfigurations) { $0.name },
            .secrets: try byteComparison(current.secrets, previous.secrets) { $0.name },
        ]
    }

    @Test func theAccountIsWhatAByteComparisonOfConsecutiveTranslationsSays() throws {
        var random = World.SeededRandom(state: 7)
        var (resources, endpoints) = World.initialWorld()
        let cache = TranslationCache()
        var previous = Translator().translate(ApiSnapshot(resources: resources, endpoints: endpoints, takenAt: 1), cache: cache)
        #expect(previous.proxies.allSatisfy { $0.reuse == .none && $0.generation != nil }, "a first translation relates to nothing")
        var seen: Set<String> = []
        for step in 0..<150 {
            switch step % 10 {
            case 3: break  // translated again, nothing edited
            case 5: resources.gateways[0].useProxyProto = step % 20 == 5  // a listener changes in place
            case 7: resources.gateways[1].bindPort = UInt32(9000 + step)  // a listener moves
            default: World.randomEdit(step: step, &resources, &endpoints, &random)
            }
            let result = Translator().translate(ApiSnapshot(resources: resources, endpoints: endpoints, takenAt: 1), cache: cache)
            for proxy in result.proxies {
                let before = try #require(previous.proxies.first { $0.group == proxy.group })
                #expect(proxy.reuse.base == before.generation && proxy.generation != before.generation, "step \(step)")
                let expected = try Self.byteComparison(proxy.envoy, before.envoy)
                for kind in ReuseAccount.Kind.allCases {
                    #expect(proxy.reuse.change(of: kind) == expected[kind], "step \(step): \(kind.rawValue)")
                    seen.insert("\(kind.rawValue) \(String(describing: expected[kind]!).prefix(9))")
                }
            }
            previous = result
        }
        // The series exercised every answer where a kind can give it.
        for answer in ["unchanged", "changed(p", "reshaped"] {
            for kind in ["clusters", "loadAssignments", "routeConfigurations", "listeners"] {
                #expect(seen.contains("\(kind) \(answer)"), "\(kind) never \(answer)")
            }
        }
    }

    @Test func withoutACacheThereIsNoAccount() {
        let (resources, endpoints) = World.initialWorld()
        let result = Translator().translate(ApiSnapshot(resources: resources, endpoints: endpoints, takenAt: 1))
        #expect(!result.proxies.isEmpty && result.proxies.allSatisfy { $0.reuse == .none && $0.generation == nil })
        #expect(ReuseAccount.none.change(of: .clusters) == .reshaped)
    }
}
