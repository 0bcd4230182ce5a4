/// The version `gloo-hashi version` prints and the admin API reports.
public enum GlooHashiVersion {
    public static let current = "0.1.0"
}
