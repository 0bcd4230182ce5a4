import Foundation

/// Reads Consul's KV listing (`[{"Key": ..., "Value": base64|null, "ModifyIndex": n, ...}]`)
/// straight from the bytes, without building a JSON tree, and base64-decodes a value only when
/// `known` does not already hold that key at that ModifyIndex. At 15,000 keys a watch answer is
/// about 15 MB of which one value changed; Foundation's JSONDecoder and decoding every value
/// took most of the time.
struct KVPairScanner {
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    /// The answer's bytes, read without bounds checks in release builds (the scanner checks
    /// `position < count` itself): a watch answer is millions of bytes.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The pairs; `known(key, modifyIndex)` returns the value already decoded for that version.
    static func pairs(_ bytes: [UInt8], known: (String, UInt64) -> [UInt8]?) throws -> [ConsulKV.Pair] {
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = KVPairScanner(buffer)
            return try scanner.array(known: known)
        }
    }

    /// The fields of a pair the scanner reads; the rest are skipped.
    private enum Field {
        case key, value, createIndex, modifyIndex, flags, session, other
    }

    /// Reads a field name and matches it as Go's encoding/json does (case-insensitively),
    /// without building a string.
    private mutating func field() throws -> Field {
        guard let range = try rawString() else { _ = try string(); return .other }
        func matches(_ name: StaticString) -> Bool {
            guard range.count == name.utf8CodeUnitCount else { return false }
            let expected = name.utf8Start
            for offset in 0..<range.count where bytes[range.lowerBound + offset] | 0x20 != expected[offset] | 0x20 {
                return false
            }
            return true
        }
        switch range.count {
        case 3 where matches("key"): return .key
        case 5 where matches("value"): return .value
        case 5 where matches("flags"): return .flags
        case 7 where matches("session"): return .session
        case 11 where matches("createindex"): return .createIndex
        case 11 where matches("modifyindex"): return .modifyIndex
        default: return .other
        }
    }

    private mutating func array(known: (String, UInt64) -> [UInt8]?) throws -> [ConsulKV.Pair] {
        skipSpace()
        if peek() == UInt8(ascii: "n") { try literal("null"); return [] }
        try expect(UInt8(ascii: "["))
        var pairs: [ConsulKV.Pair] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") { position += 1; return pairs }
        while true {
            pairs.append(try pair(known: known))
            skipSpace()
            let next = try take()
            if next == UInt8(ascii: "]") { return pairs }
            guard next == UInt8(ascii: ",") else { throw Failure(offset: position - 1, reason: "expected , or ]") }
        }
    }

    private mutating func pair(known: (String, UInt64) -> [UInt8]?) throws -> ConsulKV.Pair {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        var key: String?
        var encodedValue: Range<Int>?
        var escapedValue: String?
        var createIndex: UInt64 = 0, modifyIndex: UInt64 = 0, flags: UInt64 = 0
        var session: String?
        skipSpace()
        if peek() == UInt8(ascii: "}") { position += 1 } else {
            while true {
                skipSpace()
                let name = try field()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                switch name {
                case .key: key = try string()
                case .value:
                    if peek() == UInt8(ascii: "n") {
                        try literal("null")
                    } else if let range = try rawString() {
                        encodedValue = range
                    } else {
                        escapedValue = try string()
                    }
                case .createIndex: createIndex = try number()
                case .modifyIndex: modifyIndex = try number()
                case .flags: flags = try number()
                case .session: session = peek() == UInt8(ascii: "n") ? try { try literal("null"); return nil }() : try string()
                case .other: try skipValue()
                }
                skipSpace()
                let next = try take()
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw Failure(offset: position - 1, reason: "expected , or }") }
            }
        }
        guard let key else { throw Failure(offset: position, reason: "a pair without Key") }
        var value: [UInt8] = []
        if let cached = known(key, modifyIndex) {
            value = cached
        } else if let encodedValue, !encodedValue.isEmpty {
            guard let data = Data(base64Encoded: Data(UnsafeBufferPointer(rebasing: bytes[encodedValue]))) else {
                throw Failure(offset: encodedValue.lowerBound, reason: "Value of \(key) is not base64")
            }
            value = Array(data)
        } else if let escapedValue, !escapedValue.isEmpty {
            guard let data = Data(base64Encoded: escapedValue) else { throw Failure(offset: position, reason: "Value of \(key) is not base64") }
            value = Array(data)
        }
        var pair = ConsulKV.Pair(key: key, value: value, createIndex: createIndex, modifyIndex: modifyIndex, flags: flags)
        pair.session = session
        return pair
    }

    // MARK: JSON pieces

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func take() throws -> UInt8 {
        guard position < bytes.count else { throw Failure(offset: position, reason: "unexpected end") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try take() == byte else { throw Failure(offset: position - 1, reason: "expected \(Character(Unicode.Scalar(byte)))") }
    }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func literal(_ word: String) throws {
        for byte in word.utf8 { try expect(byte) }
    }

    /// The bytes between the quotes of a string that has no escapes (base64 from Consul has
    /// none); nil, with the position back at the quote, when it has some.
    private mutating func rawString() throws -> Range<Int>? {
        let quote = position
        try expect(UInt8(ascii: "\""))
        let start = position
        while let byte = peek(), byte != UInt8(ascii: "\"") {
            if byte == UInt8(ascii: "\\") {
                position = quote
                return nil
            }
            position += 1
        }
        try expect(UInt8(ascii: "\""))
        return start..<(position - 1)
    }

    private mutating func string() throws -> String {
        // Most strings (keys) have no escape: take them straight from the bytes.
        if let range = try rawString() {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        while true {
            let byte = try take()
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                let escape = try take()
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        try expect(UInt8(ascii: "\\"))
                        try expect(UInt8(ascii: "u"))
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    utf8 += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default: throw Failure(offset: position - 1, reason: "bad escape")
                }
            default: utf8.append(byte)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = try take()
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw Failure(offset: position - 1, reason: "bad \\u escape") }
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    private mutating func number() throws -> UInt64 {
        let start = position
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        guard position > start, position - start <= 20 else { throw Failure(offset: start, reason: "expected an unsigned integer") }
        var value: UInt64 = 0
        for index in start..<position {
            let (multiplied, overflow) = value.multipliedReportingOverflow(by: 10)
            let (added, carry) = multiplied.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            guard !overflow, !carry else { throw Failure(offset: start, reason: "an unsigned integer out of range") }
            value = added
        }
        return value
    }

    /// Skips any JSON value (fields Consul may add).
    private mutating func skipValue() throws {
        skipSpace()
        guard let byte = peek() else { throw Failure(offset: position, reason: "unexpected end") }
        switch byte {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            skipSpace()
            if peek() == close { position += 1; return }
            while true {
                if close == UInt8(ascii: "}") {
                    skipSpace()
                    _ = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                }
                try skipValue()
                skipSpace()
                let next = try take()
                if next == close { return }
                guard next == UInt8(ascii: ",") else { throw Failure(offset: position - 1, reason: "expected , in a nested value") }
            }
        default:
            // A number, true, false or null.
            while let byte = peek(), !(byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                                       || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09) { position += 1 }
        }
    }
}
