import ConsulStore
import GlooAPI
import Testing

/// How a large tree's watch is split into parts.
@Suite struct KVWatchPlanTests {
    static func entry(_ key: String, size: Int = 1_000) -> KVEntry {
        KVEntry(key: key, value: Array(repeating: UInt8(ascii: "x"), count: size), version: 1)
    }

    /// 2,000 VirtualServices named like the benchmark's (`vs-0` ... `vs-1999`: `vs-1` is the
    /// prefix of `vs-10`), some Upstreams and a Gateway.
    static let tree: [KVEntry] = {
        let services = (0..<2_000).map { entry("gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-\($0)") }
        let upstreams = (0..<300).map { entry("gloo/gloo.solo.io/v1/Upstream/default/up-\($0)", size: 200) }
        let gateway = [entry("gloo/gateway.solo.io/v1/Gateway/gloo-system/gateway-proxy")]
        return (services + upstreams + gateway).sorted { $0.key < $1.key }
    }()

    @Test func everyKeyIsReadByExactlyOnePartInKeyOrder() {
        let plan = KVWatchPlan.make(prefix: "gloo/", entries: Self.tree, targetBytes: 64 * 1024, maximumParts: 64, wholeBelow: 256 * 1024)
        #expect(!plan.isWhole)
        #expect(plan.parts.count <= 64 && plan.parts.count > 20)
        for entry in Self.tree {
            let readers = plan.parts.indices.filter { plan.parts[$0].covers(entry.key) }
            #expect(readers.count == 1, "\(entry.key) read by \(readers.count) parts")
            #expect(plan.part(for: entry.key) == readers.first)
        }
        // Parts in key order, so the merged listing is in key order.
        let owners = Self.tree.map { plan.part(for: $0.key)! }
        #expect(owners == owners.sorted())
        // `vs-1` is a key and the prefix of `vs-10`...: it is watched on its own.
        #expect(plan.parts.contains(.key("gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-1")))
        // Nothing outside the tree is read, and keys in no part are noticed.
        #expect(!plan.covers("gloo/gateway.solo.io/v1/RouteTable/gloo-system/new"))
        #expect(plan.covers("gloo/gateway.solo.io/v1/VirtualService/gloo-system/vs-1999x"))
    }

    @Test func partsStayNearTheTargetUntilTheLimit() {
        let sizes = { (plan: KVWatchPlan) in
            plan.parts.map { part in Self.tree.filter { part.covers($0.key) }.reduce(0) { $0 + KVWatchPlan.answerBytes($1) } }
        }
        let fine = KVWatchPlan.make(prefix: "gloo/", entries: Self.tree, targetBytes: 64 * 1024, maximumParts: 1_000, wholeBelow: 0)
        // Without a limit on the count, every part is at most the target.
        #expect(sizes(fine).allSatisfy { $0 <= 64 * 1024 }, "\(zip(fine.parts, sizes(fine)).filter { $0.1 > 64 * 1024 }.map { "\($0.0): \($0.1)" })")
        // With a limit, the largest parts were split first.
        let limited = KVWatchPlan.make(prefix: "gloo/", entries: Self.tree, targetBytes: 64 * 1024, maximumParts: 64, wholeBelow: 0)
        #expect(sizes(limited).max()! <= sizes(KVWatchPlan.make(prefix: "gloo/", entries: Self.tree, targetBytes: 64 * 1024, maximumParts: 16, wholeBelow: 0)).max()!)
        let capped = KVWatchPlan.make(prefix: "gloo/", entries: Self.tree, targetBytes: 1_024, maximumParts: 8, wholeBelow: 0)
        #expect(capped.parts.count <= 8)
        #expect(Self.tree.allSatisfy { capped.covers($0.key) })
    }

    @Test func aSmallTreeIsOneQuery() {
        let plan = KVWatchPlan.make(prefix: "gloo/", entries: Array(Self.tree.prefix(50)), targetBytes: 1_024, maximumParts: 64, wholeBelow: 1024 * 1024)
        #expect(plan.isWhole)
        #expect(plan.parts == [.prefix("gloo/")])
        #expect(KVWatchPlan.make(prefix: "gloo/", entries: [], targetBytes: 1, maximumParts: 64, wholeBelow: 0).isWhole)
    }

    @Test func keysThatShareEverythingCannotBeSplit() {
        let one = [Self.entry("gloo/a", size: 100_000)]
        let plan = KVWatchPlan.make(prefix: "gloo/", entries: one, targetBytes: 1_000, maximumParts: 64, wholeBelow: 0)
        #expect(plan.parts.count == 1)
        #expect(plan.covers("gloo/a"))
    }
}
