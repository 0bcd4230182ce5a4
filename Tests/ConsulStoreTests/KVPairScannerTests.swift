import Foundation
import Testing

@testable import ConsulStore

/// The KV listing scanner reads what Foundation's JSONDecoder reads, and skips decoding values
/// it already has.
@Suite struct KVPairScannerTests {
    /// Go's casing, escapes in a key, a null Value, fields in any order, an unknown nested field.
    static let consulCasing = #"""
        [ {"LockIndex":0,"Key":"gloo/a\u002fb \"q\" \u00e9 \ud83d\ude00","Flags":3,"Value":"aGVsbG8=","CreateIndex":7,"ModifyIndex":9,"Session":""},
          {"Key":"gloo/empty","Value":null,"CreateIndex":10,"ModifyIndex":10,"Extra":{"nested":[1,2,{"x":"y"}],"ok":true},"Flags":0}
        ]
        """#
    /// Lowercase names, which Go's decoder accepts.
    static let lowercase = #"[{"key":"gloo/lower","value":"d29ybGQ=","modifyindex":12,"createindex":11}]"#

    @Test func readsWhatJSONDecoderReads() throws {
        let bytes = Array(Self.consulCasing.utf8)
        let scanned = try KVPairScanner.pairs(bytes) { _, _ in nil }
        let decoded = try JSONDecoder().decode([ConsulKV.Pair].self, from: Data(bytes))
        #expect(scanned == decoded)
        #expect(scanned.map(\.key) == ["gloo/a/b \"q\" é 😀", "gloo/empty"])
        #expect(scanned.map { String(decoding: $0.value, as: UTF8.self) } == ["hello", ""])
        #expect(scanned.map(\.modifyIndex) == [9, 10] && scanned.map(\.createIndex) == [7, 10] && scanned[0].flags == 3)
        let lower = try KVPairScanner.pairs(Array(Self.lowercase.utf8)) { _, _ in nil }
        #expect(lower.map(\.key) == ["gloo/lower"] && lower.first?.value == Array("world".utf8) && lower.first?.modifyIndex == 12)
        #expect(try KVPairScanner.pairs(Array(" [ ] ".utf8)) { _, _ in nil }.isEmpty)
        #expect(try KVPairScanner.pairs(Array("null".utf8)) { _, _ in nil }.isEmpty)
    }

    @Test func knownValuesAreNotDecodedAgain() throws {
        let bytes = Array(#"[{"Key":"gloo/a","Value":"bmV3","ModifyIndex":9},{"Key":"gloo/b","Value":"bmV3","ModifyIndex":4}]"#.utf8)
        let pairs = try KVPairScanner.pairs(bytes) { key, index in key == "gloo/a" && index == 9 ? Array("cached".utf8) : nil }
        #expect(pairs.map { String(decoding: $0.value, as: UTF8.self) } == ["cached", "new"])
    }

    @Test func malformedAnswersAreErrorsNotCrashes() {
        for text in [#"[{"Key":"a","Value":"!!notbase64"}]"#, #"[{"Key":"a""#, #"[{"Value":"aGk="}]"#, "{", #"[{"Key":"a","ModifyIndex":-1}]"#] {
            #expect(throws: KVPairScanner.Failure.self) { try KVPairScanner.pairs(Array(text.utf8)) { _, _ in nil } }
        }
    }
}
