/// One setting of `etcron operator`: its single name and where it may be given.
///
/// The name is used verbatim as the flag (`--NAME`) and the YAML key, and upper-cased
/// with `-` → `_` behind `ETCRON_` as the environment variable, so documentation, Helm
/// values and error messages all say the same thing.
public struct SettingDescription: Sendable, Hashable {
    /// Where a setting may be given.
    public struct Sources: OptionSet, Sendable, Hashable {
        /// The raw bits.
        public let rawValue: UInt8
        /// Creates sources from raw bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// A command-line flag `--NAME`.
        public static let flag = Sources(rawValue: 1 << 0)
        /// The environment variable `ETCRON_NAME`.
        public static let environment = Sources(rawValue: 1 << 1)
        /// The key `NAME` in the YAML configuration file.
        public static let file = Sources(rawValue: 1 << 2)
        /// Every source.
        public static let all: Sources = [.flag, .environment, .file]
    }

    /// The setting's name, e.g. `etcd-endpoints`.
    public let name: String
    /// One or two sentences for `--help`.
    public let help: String
    /// What the value looks like, for help output, e.g. `host:port`.
    public let valueName: String
    /// The default as shown to users, or nil when the setting is unset by default.
    public let defaultDescription: String?
    /// Where the setting may be given; secrets are never flags.
    public let sources: Sources

    /// A description of one setting.
    public init(name: String, help: String, valueName: String, defaultDescription: String?, sources: Sources = .all) {
        self.name = name
        self.help = help
        self.valueName = valueName
        self.defaultDescription = defaultDescription
        self.sources = sources
    }

    /// The flag, e.g. `--etcd-endpoints`, or nil when the setting cannot be a flag.
    public var flag: String? { sources.contains(.flag) ? "--" + name : nil }

    /// The environment variable, e.g. `ETCRON_ETCD_ENDPOINTS`.
    public var environmentVariable: String { Self.environmentVariable(for: name) }

    /// `ETCRON_` + `name` upper-cased with `-` → `_`.
    public static func environmentVariable(for name: String) -> String {
        "ETCRON_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}
