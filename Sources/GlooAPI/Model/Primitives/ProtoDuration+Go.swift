/// Go's duration text (`time.ParseDuration`): Gloo reads stored resources with jsonpb, which
/// accepts `1m2s`, `500ms`, `1h30m`, `.5s`, `300us` as well as protobuf's `1.5s`.
extension ProtoDuration {
    private static let units: [(suffix: String, nanos: Int64)] = [
        ("ns", 1), ("us", 1_000), ("\u{00B5}s", 1_000), ("\u{03BC}s", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses Go's form: an optional sign, then one or more `<number><unit>`; `0` alone is zero.
    /// Nil for anything else or a value past Go's limit (about 292 years).
    public init?(goDuration text: String) {
        var rest = Substring(text)
        let negative = rest.hasPrefix("-")
        if negative || rest.hasPrefix("+") { rest = rest.dropFirst() }
        if rest == "0" { self.init(seconds: 0); return }
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCIIDigit }
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCIIDigit }
                rest = rest.dropFirst(fraction.count)
            }
            guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
            let unitText = rest.prefix { !$0.isASCIIDigit && $0 != "." }
            guard let unit = Self.units.first(where: { $0.suffix == unitText })?.nanos else { return nil }
            rest = rest.dropFirst(unitText.count)
            guard let value = Int64(whole.isEmpty ? "0" : whole) else { return nil }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            var part = scaled
            if !fraction.isEmpty {
                let digits = fraction.prefix(18)
                let scale = (0..<digits.count).reduce(1.0) { value, _ in value * 10 }
                part += Int64(Double(Int64(digits) ?? 0) * (Double(unit) / scale))
            }
            let (sum, sumOverflow) = total.addingReportingOverflow(part)
            guard !sumOverflow else { return nil }
            total = sum
        }
        if negative { total = -total }
        self.init(seconds: total / 1_000_000_000, nanos: Int32(total % 1_000_000_000))
    }
}
