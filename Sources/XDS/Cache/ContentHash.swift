import Foundation

/// A 128-bit content hash (two FNV-1a variants) as 32 hex digits: resource and type versions.
enum ContentHash {
    static func hex(_ data: Data) -> String {
        data.withUnsafeBytes { hex(buffer: $0) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex(buffer: $0) }
    }

    private static func hex(buffer: UnsafeRawBufferPointer) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        for byte in buffer {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
        }
        second ^= UInt64(buffer.count)
        return hex64(first) + hex64(second)
    }

    /// The hash of a set of (name, version) pairs, whatever their order: each pair is hashed on
    /// its own and the hashes are summed.
    static func unorderedHex(_ pairs: some Sequence<(String, String)>) -> String {
        var sum = UnorderedSum()
        for (name, version) in pairs { sum.add(name, version) }
        return sum.hex
    }

    /// The running sum behind `unorderedHex`: pairs can be added and taken out again, so a set
    /// with a few pairs replaced is hashed without going over the others.
    struct UnorderedSum {
        var first: UInt64 = 0
        var second: UInt64 = 0
        var count: UInt64 = 0

        init() {}

        /// The sum behind `hex` (an `unorderedHex` result) of `count` pairs.
        init?(hex: String, count: Int) {
            guard hex.utf8.count == 32, let first = UInt64(hex.prefix(16), radix: 16),
                  let second = UInt64(hex.suffix(16), radix: 16) else { return nil }
            self.first = first
            self.second = second ^ UInt64(count)
            self.count = UInt64(count)
        }

        mutating func add(_ name: String, _ version: String) {
            let (pairFirst, pairSecond) = Self.pair(name, version)
            first &+= pairFirst
            second &+= pairSecond
            count &+= 1
        }

        mutating func remove(_ name: String, _ version: String) {
            let (pairFirst, pairSecond) = Self.pair(name, version)
            first &-= pairFirst
            second &-= pairSecond
            count &-= 1
        }

        var hex: String { ContentHash.hex64(first) + ContentHash.hex64(second ^ count) }

        private static func pair(_ name: String, _ version: String) -> (UInt64, UInt64) {
            var pairFirst: UInt64 = 0xcbf2_9ce4_8422_2325
            var pairSecond: UInt64 = 0x6c62_272e_07bb_0142
            func mix(_ byte: UInt8) {
                pairFirst = (pairFirst ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                pairSecond = (pairSecond ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
            }
            for byte in name.utf8 { mix(byte) }
            mix(0)
            for byte in version.utf8 { mix(byte) }
            return (pairFirst, pairSecond)
        }
    }

    fileprivate static func hex64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
