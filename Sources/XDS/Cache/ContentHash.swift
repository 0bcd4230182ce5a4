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
        var first: UInt64 = 0
        var second: UInt64 = 0
        var count: UInt64 = 0
        for (name, version) in pairs {
            var pairFirst: UInt64 = 0xcbf2_9ce4_8422_2325
            var pairSecond: UInt64 = 0x6c62_272e_07bb_0142
            func mix(_ byte: UInt8) {
                pairFirst = (pairFirst ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                pairSecond = (pairSecond ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
            }
            for byte in name.utf8 { mix(byte) }
            mix(0)
            for byte in version.utf8 { mix(byte) }
            first &+= pairFirst
            second &+= pairSecond
            count &+= 1
        }
        return hex64(first) + hex64(second ^ count)
    }

    private static func hex64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
