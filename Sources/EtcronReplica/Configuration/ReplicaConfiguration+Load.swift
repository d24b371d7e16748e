extension ReplicaConfiguration {
    /// Loads and validates the configuration of `etcron operator`.
    ///
    /// Each setting is looked up by its one name: `flags[NAME]`, then
    /// `environment["ETCRON_" + NAME upper-cased, "-" → "_"]`, then the key `NAME` of the
    /// YAML file named by `config` (flag or `ETCRON_CONFIG`), then the default. Files
    /// named by settings are read now, so a missing certificate or password file stops
    /// the start with a clear error instead of failing the first connection.
    ///
    /// - Parameters:
    ///   - flags: the flags the user actually gave, keyed by setting name (no `--`).
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`).
    ///     Variables starting `ETCRON_` that are no setting (say Kubernetes' service
    ///     variables `ETCRON_PORT`) are ignored.
    /// - Throws: the first problem found, naming the setting and the reason.
    public static func load(flags: [String: String], environment: [String: String]) throws(ConfigurationError) -> ReplicaConfiguration {
        try ConfigurationLoader(flags: flags, environment: environment, hostname: Hostname.current()).load()
    }
}
