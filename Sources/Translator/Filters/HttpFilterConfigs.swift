import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Envoy configurations of the HTTP and network filters of Gloo's faultinjection, buffer, csrf,
/// gzip and local_ratelimit plugins, with the checks Gloo (and its protos' rules) make.
/// Failures name the field under the option.
enum HttpFilterConfigs {
    static let faultFilter = "envoy.filters.http.fault"
    static let bufferFilter = "envoy.filters.http.buffer"
    static let csrfFilter = "envoy.filters.http.csrf"
    static let compressorFilter = "envoy.filters.http.compressor"
    static let gzipLibrary = "envoy.compression.gzip.compressor"
    static let localRateLimitFilter = "envoy.filters.http.local_ratelimit"
    static let networkLocalRateLimitFilter = "envoy.filters.network.local_ratelimit"
    /// Gloo's stage for its local rate limits (before authentication).
    static let localRateLimitStage: UInt32 = 3

    // MARK: Faults

    /// A route's faults; nil when it sets neither an abort nor a delay.
    static func fault(_ faults: RouteFaults) throws(TranslationFailure) -> Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault? {
        guard faults.abort != nil || faults.delay != nil else { return nil }
        var fault = Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault()
        if let abort = faults.abort {
            guard (200..<600).contains(abort.httpStatus) else {
                throw TranslationFailure(fieldPath: "options.faults.abort.httpStatus",
                                         reason: "invalid abort status code \(abort.httpStatus), must be in range of [200,600)")
            }
            fault.abort.httpStatus = abort.httpStatus
            fault.abort.percentage = try percentage(abort.percentage, field: "options.faults.abort.percentage")
        }
        if let delay = faults.delay {
            guard let fixed = delay.fixedDelay, fixed > ProtoDuration(seconds: 0) else {
                throw TranslationFailure(fieldPath: "options.faults.delay.fixedDelay", reason: "the delay must be greater than 0")
            }
            fault.delay.fixedDelay = ClusterTranslator.duration(fixed)
            fault.delay.percentage = try percentage(delay.percentage, field: "options.faults.delay.percentage")
        }
        return fault
    }

    /// Gloo's float percentage (0-100) as Envoy's parts per million.
    static func percentage(_ value: Double, field: String) throws(TranslationFailure) -> Envoy_Type_V3_FractionalPercent {
        guard value >= 0, value <= 100 else {
            throw TranslationFailure(fieldPath: field, reason: "\(value) is not a percentage between 0 and 100")
        }
        var fraction = Envoy_Type_V3_FractionalPercent()
        fraction.numerator = UInt32((value * 10000).rounded())
        fraction.denominator = .million
        return fraction
    }

    // MARK: Buffering

    static func buffer(_ limit: BufferLimit, field: String) throws(TranslationFailure) -> Envoy_Extensions_Filters_Http_Buffer_V3_Buffer {
        guard let bytes = limit.maxRequestBytes, bytes > 0 else {
            throw TranslationFailure(fieldPath: field + ".maxRequestBytes", reason: "maxRequestBytes must be greater than 0")
        }
        var buffer = Envoy_Extensions_Filters_Http_Buffer_V3_Buffer()
        buffer.maxRequestBytes = Google_Protobuf_UInt32Value(bytes)
        return buffer
    }

    /// A `bufferPerRoute`; nil for `disabled: false` (which changes nothing).
    static func bufferPerRoute(_ option: BufferPerRoute, field: String) throws(TranslationFailure) -> Envoy_Extensions_Filters_Http_Buffer_V3_BufferPerRoute? {
        var perRoute = Envoy_Extensions_Filters_Http_Buffer_V3_BufferPerRoute()
        switch option.override {
        case nil: return nil
        case .disabled(let disabled):
            guard disabled else { return nil }
            perRoute.disabled = true
        case .buffer(let limit):
            perRoute.buffer = try buffer(limit, field: field + ".buffer")
        }
        return perRoute
    }

    // MARK: CSRF

    /// Gloo's CSRF policy: without `filterEnabled` nothing is refused (0 %), as in Gloo.
    static func csrf(_ policy: CsrfPolicy?, field: String) throws(TranslationFailure) -> Envoy_Extensions_Filters_Http_Csrf_V3_CsrfPolicy {
        var envoy = Envoy_Extensions_Filters_Http_Csrf_V3_CsrfPolicy()
        if let enabled = policy?.filterEnabled {
            envoy.filterEnabled = runtimeFraction(enabled)
        } else {
            envoy.filterEnabled.defaultValue.denominator = .hundred
        }
        if let shadow = policy?.shadowEnabled { envoy.shadowEnabled = runtimeFraction(shadow) }
        for (index, origin) in (policy?.additionalOrigins ?? []).enumerated() {
            envoy.additionalOrigins.append(try stringMatcher(origin, field: "\(field).additionalOrigins[\(index)]"))
        }
        return envoy
    }

    static func runtimeFraction(_ value: RuntimeFractionalPercent) -> Envoy_Config_Core_V3_RuntimeFractionalPercent {
        var envoy = Envoy_Config_Core_V3_RuntimeFractionalPercent()
        envoy.defaultValue.numerator = value.defaultValue?.numerator ?? 0
        switch value.defaultValue?.denominator {
        case .tenThousand?: envoy.defaultValue.denominator = .tenThousand
        case .million?: envoy.defaultValue.denominator = .million
        case .hundred?, nil: envoy.defaultValue.denominator = .hundred
        }
        envoy.runtimeKey = value.runtimeKey
        return envoy
    }

    /// Exactly one of exact, prefix, suffix and safeRegex.
    static func stringMatcher(_ matcher: StringMatcher, field: String) throws(TranslationFailure) -> Envoy_Type_Matcher_V3_StringMatcher {
        var envoy = Envoy_Type_Matcher_V3_StringMatcher()
        var set = 0
        if let exact = matcher.exact { envoy.exact = exact; set += 1 }
        if let prefix = matcher.prefix { envoy.prefix = prefix; set += 1 }
        if let suffix = matcher.suffix { envoy.suffix = suffix; set += 1 }
        if let regex = matcher.safeRegex { envoy.safeRegex = EnvoyRouteBuilder.regexMatcher(regex.regex); set += 1 }
        guard set == 1 else {
            throw TranslationFailure(fieldPath: field, reason: "a string matcher sets exactly one of exact, prefix, suffix and safeRegex")
        }
        // Envoy refuses ignore_case on a regex; Gloo drops it there.
        if matcher.safeRegex == nil { envoy.ignoreCase = matcher.ignoreCase }
        return envoy
    }

    // MARK: Compression

    /// Envoy's compressor filter with the gzip library, from Gloo's `gzip` (the response
    /// direction's fields, where Envoy's current API keeps them).
    static func compressor(_ gzip: GzipOptions) throws(TranslationFailure) -> Envoy_Extensions_Filters_Http_Compressor_V3_Compressor {
        let field = "httpGateway.options.gzip"
        var library = Envoy_Extensions_Compression_Gzip_Compressor_V3_Gzip()
        if let level = gzip.memoryLevel {
            guard (1...9).contains(level) else { throw TranslationFailure(fieldPath: field + ".memoryLevel", reason: "memoryLevel must be 1-9") }
            library.memoryLevel = Google_Protobuf_UInt32Value(level)
        }
        if let bits = gzip.windowBits {
            guard (9...15).contains(bits) else { throw TranslationFailure(fieldPath: field + ".windowBits", reason: "windowBits must be 9-15") }
            library.windowBits = Google_Protobuf_UInt32Value(bits)
        }
        switch gzip.compressionLevel {
        case .best?: library.compressionLevel = .bestCompression
        case .speed?: library.compressionLevel = .bestSpeed
        case .default?, nil: library.compressionLevel = .defaultCompression
        }
        switch gzip.compressionStrategy {
        case .filtered?: library.compressionStrategy = .filtered
        case .huffman?: library.compressionStrategy = .huffmanOnly
        case .rle?: library.compressionStrategy = .rle
        case .default?, nil: library.compressionStrategy = .defaultStrategy
        }
        var compressor = Envoy_Extensions_Filters_Http_Compressor_V3_Compressor()
        compressor.compressorLibrary.name = gzipLibrary
        do {
            compressor.compressorLibrary.typedConfig = try Google_Protobuf_Any(message: library)
        } catch {
            throw TranslationFailure(fieldPath: field, reason: "cannot be encoded: \(error)")
        }
        if let length = gzip.contentLength {
            guard length >= 30 else { throw TranslationFailure(fieldPath: field + ".contentLength", reason: "contentLength must be at least 30") }
            compressor.responseDirectionConfig.commonConfig.minContentLength = Google_Protobuf_UInt32Value(length)
        }
        guard gzip.contentType.count <= 50 else {
            throw TranslationFailure(fieldPath: field + ".contentType", reason: "at most 50 content types")
        }
        if !gzip.contentType.isEmpty { compressor.responseDirectionConfig.commonConfig.contentType = gzip.contentType }
        compressor.responseDirectionConfig.disableOnEtagHeader = gzip.disableOnEtagHeader
        compressor.responseDirectionConfig.removeAcceptEncodingHeader = gzip.removeAcceptEncodingHeader
        return compressor
    }

    // MARK: Local rate limits

    /// Gloo's token bucket checks: at least one token, refilled by at least one, every 50 ms or more.
    static func tokenBucket(_ bucket: TokenBucket, field: String) throws(TranslationFailure) -> Envoy_Type_V3_TokenBucket {
        guard bucket.maxTokens >= 1 else {
            throw TranslationFailure(fieldPath: field + ".maxTokens", reason: "maxTokens must be greater than or equal to 1")
        }
        if let fill = bucket.tokensPerFill, fill < 1 {
            throw TranslationFailure(fieldPath: field + ".tokensPerFill", reason: "tokensPerFill must be greater than or equal to 1")
        }
        let interval = bucket.fillInterval ?? ProtoDuration(seconds: 1)
        guard interval >= ProtoDuration(seconds: 0, nanos: 50_000_000) else {
            throw TranslationFailure(fieldPath: field + ".fillInterval", reason: "fillInterval must be at least 50ms, not \(interval)")
        }
        var envoy = Envoy_Type_V3_TokenBucket()
        envoy.maxTokens = bucket.maxTokens
        if let fill = bucket.tokensPerFill { envoy.tokensPerFill = Google_Protobuf_UInt32Value(fill) }
        envoy.fillInterval = ClusterTranslator.duration(interval)
        return envoy
    }

    /// Envoy's HTTP local rate limit with Gloo's settings: enforced for every request when a
    /// bucket is given, and without one a filter that limits nothing.
    static func localRateLimit(
        _ settings: LocalRateLimitSettings?, bucket: TokenBucket?, field: String
    ) throws(TranslationFailure) -> Envoy_Extensions_Filters_Http_LocalRatelimit_V3_LocalRateLimit {
        var envoy = Envoy_Extensions_Filters_Http_LocalRatelimit_V3_LocalRateLimit()
        envoy.statPrefix = "http_local_ratelimit"
        envoy.stage = localRateLimitStage
        if let bucket {
            envoy.tokenBucket = try tokenBucket(bucket, field: field)
            var all = Envoy_Config_Core_V3_RuntimeFractionalPercent()
            all.defaultValue.numerator = 100
            all.defaultValue.denominator = .hundred
            envoy.filterEnabled = all
            envoy.filterEnforced = all
        }
        envoy.localRateLimitPerDownstreamConnection = settings?.localRateLimitPerDownstreamConnection ?? false
        if settings?.enableXRatelimitHeaders == true { envoy.enableXRatelimitHeaders = .draftVersion03 }
        return envoy
    }

    /// The network local rate limit before the connection manager or TCP proxy.
    static func networkLocalRateLimit(_ bucket: TokenBucket, field: String) throws(TranslationFailure) -> Envoy_Config_Listener_V3_Filter {
        var config = Envoy_Extensions_Filters_Network_LocalRatelimit_V3_LocalRateLimit()
        config.statPrefix = "network_local_ratelimit"
        config.tokenBucket = try tokenBucket(bucket, field: field)
        var filter = Envoy_Config_Listener_V3_Filter()
        filter.name = networkLocalRateLimitFilter
        do {
            filter.typedConfig = try Google_Protobuf_Any(message: config)
        } catch {
            throw TranslationFailure(fieldPath: field, reason: "cannot be encoded: \(error)")
        }
        return filter
    }
}
