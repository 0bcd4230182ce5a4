/// A resource's identity and bookkeeping (solo-kit `core.Metadata`).
///
/// `resourceVersion` comes from the store (Consul's `ModifyIndex`, a content hash on disk), never
/// from what the YAML says.
public struct Metadata: Hashable, Sendable, Codable, ProtoDefaultable {
    public var name: String
    public var namespace: String
    public var resourceVersion: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// Written by Gloo's controllers; read and kept, not used.
    public var generation: Int64?
    /// Deprecated in Gloo; read and kept, not used.
    public var cluster: String
    public var ownerReferences: [OwnerReference]

    public init(
        name: String, namespace: String, resourceVersion: String = "", labels: [String: String] = [:],
        annotations: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
        self.generation = nil
        self.cluster = ""
        self.ownerReferences = []
    }

    public static var protoDefault: Metadata { Metadata(name: "", namespace: "") }
    public var isProtoDefault: Bool { self == .protoDefault }

    /// The `namespace/name` reference to this resource.
    public var ref: ResourceRef { ResourceRef(name: name, namespace: namespace) }
}

/// A Kubernetes-style owner reference, kept as Gloo's writers emit it.
public struct OwnerReference: Hashable, Sendable, Codable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?
}

/// A reference to a resource by namespace and name (solo-kit `core.ResourceRef`).
public struct ResourceRef: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var name: String
    public var namespace: String

    public init(name: String, namespace: String) {
        self.name = name
        self.namespace = namespace
    }

    /// `namespace/name`.
    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: ResourceRef, rhs: ResourceRef) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    /// The same reference with an empty namespace filled in from the referring resource (Gloo's rule).
    public func defaultingNamespace(to namespace: String) -> ResourceRef {
        self.namespace.isEmpty ? ResourceRef(name: name, namespace: namespace) : self
    }
}
