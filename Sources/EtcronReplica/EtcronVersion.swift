/// The version of etcron this binary is.
public enum EtcronVersion {
    /// Semantic version, reported in membership records and `etcron status`.
    public static let current = "0.1.0"
}
