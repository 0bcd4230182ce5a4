import Controller
import Foundation
import GlooAPI
import Translator
import XDS

/// `--baseline-responses OUT --tree DIR --edit-dirs E1,E2,...`: the resources of scenario 3's
/// baseline server, computed before it serves. Step 0 is `DIR` translated; step k copies the
/// files under `Ek` into `DIR`, translates again and keeps only what changed. Each step is
/// written to `OUT/step-<k>.bin` as records for `Benchmarks/envoy-ingestion/baseline_server.py`.
enum BaselineResponses {
    static func write(tree: String, editDirectories: [String], to output: String) async throws {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let translator = Translator()
        // One store, decoder and translation cache for all steps: a step decodes and translates
        // only what its edit changed.
        let store = DirectoryStore(directory: tree)
        var decoder = KVTreeDecoder()
        let cache = TranslationCache()
        var previous: XDSSnapshot?
        for step in 0...editDirectories.count {
            if step > 0 { try copyTree(from: editDirectories[step - 1], into: tree) }
            let listing = decoder.decode(try await store.entries(prefix: ResourceKey.defaultRootKey + "/"))
            let result = translator.translate(ApiSnapshot(resources: listing.resources, findings: listing.findings, takenAt: 0),
                                              cache: cache)
            guard let proxy = result.proxies.first else { throw BaselineError.noProxy(tree) }
            let snapshot = try proxy.envoy.xdsSnapshot()
            var records = Data()
            for type in TypeURL.allCases {
                let before = previous?.resources(of: type) ?? [:]
                let after = snapshot.resources(of: type)
                for resource in after.values.sorted(by: { $0.name < $1.name }) where before[resource.name]?.version != resource.version {
                    append(kind: 0, type: type, name: resource.name, payload: resource.payload, to: &records)
                }
                for name in before.keys.sorted() where after[name] == nil {
                    append(kind: 1, type: type, name: name, payload: Data(), to: &records)
                }
            }
            try records.write(to: URL(fileURLWithPath: output).appendingPathComponent("step-\(step).bin"))
            previous = snapshot
        }
    }

    /// A record: kind (0 resource, 1 removal), then type URL, name and payload, each as a
    /// big-endian UInt32 length and its bytes.
    private static func append(kind: UInt8, type: TypeURL, name: String, payload: Data, to records: inout Data) {
        records.append(kind)
        for field in [Data(type.rawValue.utf8), Data(name.utf8), payload] {
            withUnsafeBytes(of: UInt32(field.count).bigEndian) { records.append(contentsOf: $0) }
            records.append(field)
        }
    }

    private static func copyTree(from source: String, into destination: String) throws {
        let files = FileManager.default.enumerator(atPath: source)
        while let relative = files?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let from = source + "/" + relative
            guard FileManager.default.fileExists(atPath: from, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let to = destination + "/" + relative
            try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(contentsOf: URL(fileURLWithPath: from)).write(to: URL(fileURLWithPath: to))
        }
    }

    enum BaselineError: Error, CustomStringConvertible {
        case noProxy(String)
        var description: String {
            switch self {
            case .noProxy(let tree): "no gateway proxy in \(tree)"
            }
        }
    }
}
