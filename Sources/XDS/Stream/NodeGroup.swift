import EnvoyAPI

/// Which snapshot an Envoy gets: its `node.metadata.role` (Gloo's `<namespace>~<proxy>`),
/// else its `node.id`.
public enum NodeGroup {
    public static func group(for node: Envoy_Config_Core_V3_Node) -> String {
        if case .stringValue(let role)? = node.metadata.fields["role"]?.kind, !role.isEmpty { return role }
        return node.id
    }
}
