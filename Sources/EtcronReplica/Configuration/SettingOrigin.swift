/// Where a setting's value came from; precedence is flag, then environment, then the
/// configuration file, then the default.
public enum SettingOrigin: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag, e.g. `--lease-ttl`.
    case flag(String)
    /// An environment variable, e.g. `ETCRON_LEASE_TTL`.
    case environment(String)
    /// The YAML configuration file at this path.
    case file(String)
    /// The built-in default.
    case defaultValue

    /// `--lease-ttl`, `ETCRON_LEASE_TTL`, `/etc/etcron.yaml` or `default`.
    public var description: String {
        switch self {
        case .flag(let name): "--\(name)"
        case .environment(let variable): variable
        case .file(let path): path
        case .defaultValue: "default"
        }
    }
}
