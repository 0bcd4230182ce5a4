/// A 128-bit content hash (two FNV-1a variants) as 32 hex digits: resource and type versions.
enum ContentHash {
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        var count: UInt64 = 0
        for byte in bytes {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
            count &+= 1
        }
        second ^= count
        return hex64(first) + hex64(second)
    }

    /// The hash of several strings, each delimited so that ("ab","c") and ("a","bc") differ.
    static func hex(joining parts: [String]) -> String {
        var bytes: [UInt8] = []
        for part in parts {
            bytes.append(contentsOf: part.utf8)
            bytes.append(0)
        }
        return hex(bytes)
    }

    private static func hex64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
