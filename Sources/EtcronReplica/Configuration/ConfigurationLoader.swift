import EtcronCore
import Logging

/// Turns flags, environment variables and the optional YAML file into a validated
/// `ReplicaConfiguration`, one setting at a time in the order of
/// `ReplicaConfiguration.settings`, stopping at the first problem.
///
/// An empty value unsets an optional setting (so `--etcd-ca-file=` overrides a file's
/// value, and a Helm template may render a blank variable); for a setting that has a
/// default, an empty value is an error rather than a silent fallback.
struct ConfigurationLoader {
    /// The flags the user gave, by setting name.
    let flags: [String: String]
    /// The process environment.
    let environment: [String: String]
    /// The default replica ID and the host of the derived advertised address.
    let hostname: String

    func load() throws(ConfigurationError) -> ReplicaConfiguration {
        try checkFlagNames()
        let configFile = try configPath()
        let values = SettingValues(
            flags: flags,
            environment: environment,
            file: try configFile.map { path throws(ConfigurationError) in try ConfigurationFile.load(path: path) }
        )

        let etcd = try etcdSettings(values)
        let keyPrefix = try keyPrefix(values)
        var configuration = ReplicaConfiguration(replicaID: try replicaID(values))
        configuration.configFile = configFile
        configuration.etcd = etcd
        configuration.keyPrefix = keyPrefix
        configuration.http.hostname = hostname
        configuration.http.listen = try listenAddress(values)
        configuration.http.advertiseAddress = try advertiseAddress(values)
        (configuration.http.tlsCertificateFile, configuration.http.tlsKeyFile) = try listenerTLS(values)
        configuration.leaseTTL = try leaseTTL(values)
        configuration.executorEnabled = try executorEnabled(values)
        try loadSchedulerSettings(values, into: &configuration)
        configuration.apiTokensFile = try apiTokensFile(values)
        configuration.execUser = try execUser(values)
        configuration.httpDenyNetworks = try httpDenyNetworks(values)
        configuration.gamedayActions = try gamedayActions(values)
        configuration.log.level = try logLevel(values)
        configuration.log.format = try logFormat(values)
        return configuration
    }

    /// Refuses flag names that are no setting (the command and this list disagree) and the
    /// password, which must never be visible in the process list.
    private func checkFlagNames() throws(ConfigurationError) {
        for name in flags.keys.sorted() {
            guard let setting = ReplicaConfiguration.setting(named: name) else {
                let names = ReplicaConfiguration.settings.filter { $0.sources.contains(.flag) }.map(\.name)
                throw ConfigurationError(
                    setting: name,
                    reason: "unknown setting\(ClosestName.hint(for: name, among: names))",
                    origin: .flag(name)
                )
            }
            guard setting.sources.contains(.flag) else {
                throw ConfigurationError(
                    setting: name,
                    reason: "cannot be given as a flag (it would show in the process list); "
                        + "set \(setting.environmentVariable) or --\(SettingName.etcdPasswordFile)",
                    origin: .flag(name)
                )
            }
        }
    }

    /// The configuration file's path from the flag or `ETCRON_CONFIG`; blank means none.
    private func configPath() throws(ConfigurationError) -> String? {
        let variable = SettingDescription.environmentVariable(for: SettingName.config)
        let path = (flags[SettingName.config] ?? environment[variable])?.trimmedWhitespace
        guard let path, !path.isEmpty else { return nil }
        return path
    }

    private func keyPrefix(_ values: SettingValues) throws(ConfigurationError) -> String {
        guard let (prefix, origin) = try values.string(SettingName.keyPrefix) else {
            return ReplicaConfiguration.Defaults.keyPrefix
        }
        let name = SettingName.keyPrefix
        guard !prefix.isEmpty else {
            throw ConfigurationError(setting: name, reason: "must not be empty (the default is \(ReplicaConfiguration.Defaults.keyPrefix))", origin: origin)
        }
        guard prefix.hasPrefix("/") else {
            throw ConfigurationError(setting: name, reason: "\"\(prefix)\" must start with \"/\"", origin: origin)
        }
        guard !prefix.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else {
            throw ConfigurationError(setting: name, reason: "\"\(prefix)\" must not contain whitespace or control characters", origin: origin)
        }
        return prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    private func replicaID(_ values: SettingValues) throws(ConfigurationError) -> String {
        let name = SettingName.replicaID
        guard let (id, origin) = try values.string(name) else {
            if let problem = DNSSubdomain.problem(with: hostname) {
                throw ConfigurationError(
                    setting: name,
                    reason: "the host name \"\(hostname)\" is not a valid replica ID (\(problem)); set \(name)"
                )
            }
            return hostname
        }
        if let problem = DNSSubdomain.problem(with: id) {
            let shown = id.isEmpty ? "" : "\"\(id)\" is not a DNS subdomain: "
            throw ConfigurationError(setting: name, reason: shown + problem, origin: origin)
        }
        return id
    }

    private func listenAddress(_ values: SettingValues) throws(ConfigurationError) -> ListenAddress {
        let name = SettingName.httpListen
        guard let (text, origin) = try values.string(name) else { return ReplicaConfiguration.Defaults.httpListen }
        guard !text.isEmpty else {
            throw ConfigurationError(setting: name, reason: "must not be empty (expected host:port)", origin: origin)
        }
        do {
            return try ListenAddress(parsing: text)
        } catch {
            throw ConfigurationError(setting: name, reason: error.description, origin: origin)
        }
    }

    /// `http-tls-cert-file` and `http-tls-key-file`: both or neither.
    private func listenerTLS(_ values: SettingValues) throws(ConfigurationError) -> (String?, String?) {
        let certificate = try values.string(SettingName.httpTLSCertFile).flatMap { $0.value.isEmpty ? nil : $0 }
        let key = try values.string(SettingName.httpTLSKeyFile).flatMap { $0.value.isEmpty ? nil : $0 }
        switch (certificate, key) {
        case (.some, nil):
            throw ConfigurationError(setting: SettingName.httpTLSKeyFile, reason: "is needed with http-tls-cert-file", origin: certificate?.origin)
        case (nil, .some):
            throw ConfigurationError(setting: SettingName.httpTLSCertFile, reason: "is needed with http-tls-key-file", origin: key?.origin)
        default:
            return (certificate?.value, key?.value)
        }
    }

    private func advertiseAddress(_ values: SettingValues) throws(ConfigurationError) -> String? {
        guard let (text, origin) = try values.string(SettingName.advertiseAddress), !text.isEmpty else { return nil }
        if case .failure(let reason) = HostPortSyntax.parse(text, schemes: ["http", "https"]) {
            throw ConfigurationError(setting: SettingName.advertiseAddress, reason: "\"\(text)\" \(reason.text)", origin: origin)
        }
        return text
    }

    private func leaseTTL(_ values: SettingValues) throws(ConfigurationError) -> Int64 {
        guard let (ttl, origin) = try values.integer(SettingName.leaseTTL) else { return ReplicaConfiguration.Defaults.leaseTTL }
        let range = ReplicaConfiguration.Defaults.leaseTTLRange
        guard range.contains(ttl) else {
            throw ConfigurationError(
                setting: SettingName.leaseTTL,
                reason: "\(ttl) is outside \(range.lowerBound)-\(range.upperBound) seconds",
                origin: origin
            )
        }
        return ttl
    }

    private func logLevel(_ values: SettingValues) throws(ConfigurationError) -> Logger.Level {
        guard let (text, origin) = try values.string(SettingName.logLevel) else { return ReplicaConfiguration.Defaults.logLevel }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(setting: SettingName.logLevel, reason: "\"\(text)\" is not one of \(names)", origin: origin)
        }
        return level
    }

    private func logFormat(_ values: SettingValues) throws(ConfigurationError) -> LogFormat {
        guard let (text, origin) = try values.string(SettingName.logFormat) else { return ReplicaConfiguration.Defaults.logFormat }
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            let names = LogFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(setting: SettingName.logFormat, reason: "\"\(text)\" is not one of \(names)", origin: origin)
        }
        return format
    }
}
