/// A setting that is missing, malformed or contradicts another one.
///
/// Its description is `setting: reason`, e.g.
/// `etcd-ca-file: "/x/ca.pem" cannot be read (No such file or directory)`, so a replica
/// that refuses to start tells the operator exactly which knob to turn.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting's name (as in `--NAME`, `ETCRON_NAME` and the YAML key `NAME`), or the
    /// offending key of the configuration file.
    public var setting: String
    /// Why the value is refused, naming the value.
    public var reason: String
    /// Where the refused value came from, if it came from somewhere (nil for a missing
    /// value or a conflict between settings).
    public var origin: SettingOrigin?

    /// An error for `setting`.
    public init(setting: String, reason: String, origin: SettingOrigin? = nil) {
        self.setting = setting
        self.reason = reason
        self.origin = origin
    }

    /// `setting: reason`.
    public var description: String { "\(setting): \(reason)" }
}
