/// Response compression (`httpGateway.options.gzip`, on Envoy's compressor filter with gzip).
public struct GzipOptions: Hashable, Sendable, Codable {
    public enum CompressionLevel: String, ProtoEnum {
        case `default` = "DEFAULT"
        case best = "BEST"
        case speed = "SPEED"
    }

    public enum CompressionStrategy: String, ProtoEnum {
        case `default` = "DEFAULT"
        case filtered = "FILTERED"
        case huffman = "HUFFMAN"
        case rle = "RLE"
    }

    /// 1-9.
    public var memoryLevel: UInt32?
    /// Smallest response compressed, in bytes (at least 30).
    public var contentLength: UInt32?
    public var compressionLevel: CompressionLevel?
    public var compressionStrategy: CompressionStrategy?
    /// Compressed content types (Envoy's defaults when empty); at most 50.
    public var contentType: [String]
    public var disableOnEtagHeader: Bool
    public var removeAcceptEncodingHeader: Bool
    /// 9-15.
    public var windowBits: UInt32?
}
