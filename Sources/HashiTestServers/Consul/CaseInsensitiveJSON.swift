import Foundation

/// A JSON object read the way Consul (Go's `encoding/json`) reads request bodies: field names
/// match case-insensitively (`{"service": "web"}` is `{"Service": "web"}`).
struct CaseInsensitiveJSON: @unchecked Sendable {
    let object: [String: Any]

    init?(_ value: Any?) {
        guard let object = value as? [String: Any] else { return nil }
        self.object = object
    }

    init?(bytes: [UInt8]) {
        guard !bytes.isEmpty, let value = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return nil }
        self.init(value)
    }

    subscript(_ name: String) -> Any? {
        if let exact = object[name] { return exact }
        let lowered = name.lowercased()
        return object.first { $0.key.lowercased() == lowered }?.value
    }

    func string(_ name: String) -> String? { self[name] as? String }
    func int(_ name: String) -> Int? { (self[name] as? NSNumber)?.intValue }
    func uint(_ name: String) -> UInt64? { (self[name] as? NSNumber)?.uint64Value }
    func object(_ name: String) -> CaseInsensitiveJSON? { CaseInsensitiveJSON(self[name]) }
    func objects(_ name: String) -> [CaseInsensitiveJSON] { (self[name] as? [Any] ?? []).compactMap(CaseInsensitiveJSON.init) }
    func strings(_ name: String) -> [String] { self[name] as? [String] ?? [] }
}
