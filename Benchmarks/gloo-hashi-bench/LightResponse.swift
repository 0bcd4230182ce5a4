import GRPCCore

/// What a benchmark client reads of an xDS response: version, type, nonce, and how many
/// resources (and their bytes) without decoding them. An ADS client that decoded every resource
/// would measure its own decoding (on the same two cores as the server), not the server.
struct LightResponse: Sendable {
    var version = ""
    var typeURL = ""
    var nonce = ""
    var resources = 0
    var resourceBytes = 0
    var removed = 0
}

/// Reads a `DiscoveryResponse` or `DeltaDiscoveryResponse` (the same field numbers for these):
/// 1 version, 2 resources, 4 type_url, 5 nonce, 6 removed_resources (delta).
struct LightResponseDeserializer: MessageDeserializer {
    struct Malformed: Error {}

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> LightResponse {
        try serializedMessageBytes.withUnsafeBytes { bytes in
            var response = LightResponse()
            var offset = 0
            func varint() throws -> UInt64 {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while offset < bytes.count {
                    let byte = bytes[offset]
                    offset += 1
                    value |= UInt64(byte & 0x7f) << shift
                    if byte < 0x80 { return value }
                    shift += 7
                }
                throw Malformed()
            }
            while offset < bytes.count {
                let tag = try varint()
                switch tag & 7 {
                case 0: _ = try varint()
                case 1: offset += 8
                case 5: offset += 4
                case 2:
                    let length = Int(try varint())
                    guard offset + length <= bytes.count else { throw Malformed() }
                    let text = { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self) }
                    switch tag >> 3 {
                    case 1: response.version = text()
                    case 2:
                        response.resources += 1
                        response.resourceBytes += length
                    case 4: response.typeURL = text()
                    case 5: response.nonce = text()
                    case 6: response.removed += 1
                    default: break
                    }
                    offset += length
                default: throw Malformed()
                }
            }
            return response
        }
    }
}
