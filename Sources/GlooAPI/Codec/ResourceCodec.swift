import Foundation

/// Turns stored bytes into resources and resources into stored bytes.
///
/// Decoding never throws: a value is either accepted (perhaps with warnings) or rejected with
/// every problem found, each naming its field.
public enum ResourceCodec {
    /// Consul's limit on a KV value; larger values could never be stored there.
    public static let maximumValueSize = 512 * 1024

    /// The outcome of decoding one value.
    public struct Decoded<R: Sendable>: Sendable {
        /// The resource, nil when the value was rejected.
        public var resource: R?
        public var problems: [FieldProblem]

        public var isRejected: Bool { resource == nil }

        public init(resource: R?, problems: [FieldProblem]) {
            self.resource = resource
            self.problems = problems
        }
    }

    /// Decodes the value stored at `key` as `type`; `resourceVersion` is the store's version of it.
    public static func decode<R: Resource>(
        _ type: R.Type, from data: some Collection<UInt8>, key: ResourceKey, resourceVersion: String = ""
    ) -> Decoded<R> {
        let tree: ConfigValue
        switch parse(data) {
        case .success(let value): tree = value
        case .failure(let problem): return Decoded(resource: nil, problems: [problem])
        }
        return decode(type, from: tree, key: key, resourceVersion: resourceVersion)
    }

    /// Decodes an already parsed value.
    public static func decode<R: Resource>(
        _ type: R.Type, from tree: ConfigValue, key: ResourceKey, resourceVersion: String = ""
    ) -> Decoded<R> {
        guard case .map = tree else {
            let reason = tree == .null ? "value is empty" : "value must be an object, found \(tree.typeName)"
            return Decoded(resource: nil, problems: [FieldProblem(.error, fieldPath: "", reason: reason)])
        }
        let state = DecodingState()
        var resource: R?
        do {
            resource = try ConfigDecoder.decode(type, from: tree, codingPath: [], state: state)
        } catch let error as DecodingError {
            state.problems.append(problem(from: error))
        } catch {
            state.problems.append(FieldProblem(.error, fieldPath: "", reason: "\(error)"))
        }
        if var decoded = resource {
            state.problems += identityProblems(&decoded, key: key)
            decoded.metadata.resourceVersion = resourceVersion
            state.problems += decoded.semanticProblems()
            resource = decoded
        }
        let problems = state.problems
        let rejected = problems.contains { $0.severity == .error }
        return Decoded(resource: rejected ? nil : resource, problems: problems)
    }

    /// Decodes a value of whatever kind `key` names.
    public static func decodeAny(
        from data: some Collection<UInt8>, key: ResourceKey, resourceVersion: String = ""
    ) -> Decoded<AnyResource> {
        func open<R: Resource>(_ type: R.Type) -> Decoded<AnyResource> {
            let decoded = decode(type, from: data, key: key, resourceVersion: resourceVersion)
            return Decoded(resource: decoded.resource.map(AnyResource.init), problems: decoded.problems)
        }
        return open(AnyResource.type(for: key.kind))
    }

    /// Parses bytes as one YAML or JSON document, checking size and encoding first.
    public static func parse(_ data: some Collection<UInt8>) -> Result<ConfigValue, FieldProblem> {
        if data.count > maximumValueSize {
            return .failure(FieldProblem(
                .error, fieldPath: "",
                reason: "value is \(data.count / 1024) KiB; Consul KV values are limited to \(maximumValueSize / 1024) KiB"))
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let offset = invalidUTF8Offset(data)
            return .failure(FieldProblem(.error, fieldPath: "", reason: "value is not valid UTF-8 (byte \(offset))"))
        }
        do throws(ConfigSyntaxError) {
            return .success(try ConfigValue.parseYAML(text))
        } catch {
            return .failure(FieldProblem(.error, fieldPath: "", reason: error.description))
        }
    }

    /// Deterministic YAML for storing a resource (the store's version is not written).
    public static func yaml<R: Resource>(_ resource: R) -> String {
        tree(resource).yamlText()
    }

    /// Deterministic JSON for a resource.
    public static func json<R: Resource>(_ resource: R, pretty: Bool = true) -> String {
        tree(resource).jsonText(pretty: pretty)
    }

    /// The configuration tree of a resource, without `metadata.resourceVersion`.
    public static func tree<R: Resource>(_ resource: R) -> ConfigValue {
        var copy = resource
        copy.metadata.resourceVersion = ""
        do {
            return try ConfigEncoder.encode(copy)
        } catch {
            preconditionFailure("encoding \(R.self) failed: \(error)")
        }
    }

    /// The key fixes name and namespace; metadata may repeat them but not contradict them.
    private static func identityProblems<R: Resource>(_ resource: inout R, key: ResourceKey) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if resource.metadata.name.isEmpty {
            resource.metadata.name = key.name
        } else if resource.metadata.name != key.name {
            problems.append(FieldProblem(
                .error, fieldPath: "metadata.name",
                reason: "'\(resource.metadata.name)' does not match the name in the key, '\(key.name)'"))
        }
        if resource.metadata.namespace.isEmpty {
            resource.metadata.namespace = key.namespace
        } else if resource.metadata.namespace != key.namespace {
            problems.append(FieldProblem(
                .error, fieldPath: "metadata.namespace",
                reason: "'\(resource.metadata.namespace)' does not match the namespace in the key, '\(key.namespace)'"))
        }
        return problems
    }

    private static func problem(from error: DecodingError) -> FieldProblem {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return FieldProblem(.error, fieldPath: FieldPath.format(context.codingPath), reason: context.debugDescription)
        case .keyNotFound(let key, let context):
            return FieldProblem(
                .error, fieldPath: FieldPath.format(context.codingPath + [key]),
                reason: "missing required field '\(key.stringValue)'")
        @unknown default:
            return FieldProblem(.error, fieldPath: "", reason: "\(error)")
        }
    }

    private static func invalidUTF8Offset(_ data: some Collection<UInt8>) -> Int {
        var offset = 0
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }
}
