import EtcronCore
import Foundation

extension ConfigurationLoader {
    /// `executor`: true or false.
    func executorEnabled(_ values: SettingValues) throws(ConfigurationError) -> Bool {
        try values.boolean(SettingName.executor)?.value ?? true
    }

    /// `gameday-actions`: true or false (default false).
    func gamedayActions(_ values: SettingValues) throws(ConfigurationError) -> Bool {
        try values.boolean(SettingName.gamedayActions)?.value ?? false
    }

    /// `scheduler-workers`, `history-retention`, `history-gc-interval`, `job-metrics-limit`,
    /// `api-rate-limit`, `api-max-body-bytes`, `http-connections-per-host`.
    func loadSchedulerSettings(_ values: SettingValues, into configuration: inout ReplicaConfiguration) throws(ConfigurationError) {
        typealias Defaults = ReplicaConfiguration.Defaults
        configuration.schedulerWorkers = Int(try boundedInteger(
            values, SettingName.schedulerWorkers, Int64(Defaults.schedulerWorkers), Defaults.schedulerWorkersRange))
        configuration.historyRetention = try boundedInteger(
            values, SettingName.historyRetention, Defaults.historyRetention, Defaults.historyRetentionRange)
        configuration.historyGCInterval = try boundedInteger(
            values, SettingName.historyGCInterval, Defaults.historyGCInterval, Defaults.historyGCIntervalRange)
        configuration.jobMetricsLimit = Int(try boundedInteger(
            values, SettingName.jobMetricsLimit, Int64(Defaults.jobMetricsLimit), Defaults.jobMetricsLimitRange))
        configuration.apiRateLimit = try boundedInteger(values, SettingName.apiRateLimit, Defaults.apiRateLimit, Defaults.apiRateLimitRange)
        configuration.apiMaxBodyBytes = try boundedInteger(
            values, SettingName.apiMaxBodyBytes, Defaults.apiMaxBodyBytes, Defaults.apiMaxBodyBytesRange)
        configuration.httpConnectionsPerHost = Int(try boundedInteger(
            values, SettingName.httpConnectionsPerHost, Int64(Defaults.httpConnectionsPerHost), Defaults.httpConnectionsPerHostRange))
    }

    /// `api-tokens-file`: nil when unset or blank. Only the operator reads it (and refuses
    /// to start when it cannot, naming the entry and field); client commands that share the
    /// operator's config file, such as the Helm chart's `etcron status` test, never need it.
    func apiTokensFile(_ values: SettingValues) throws(ConfigurationError) -> String? {
        guard let (path, _) = try values.string(SettingName.apiTokensFile), !path.isEmpty else { return nil }
        return path
    }

    /// `exec-user`: nil when unset or blank (checked by the operator, which resolves it).
    func execUser(_ values: SettingValues) throws(ConfigurationError) -> String? {
        guard let (user, _) = try values.string(SettingName.execUser), !user.isEmpty else { return nil }
        return user
    }

    /// `http-deny-networks`: comma-separated CIDRs, each checked.
    func httpDenyNetworks(_ values: SettingValues) throws(ConfigurationError) -> [String] {
        guard let (text, origin) = try values.string(SettingName.httpDenyNetworks) else { return [] }
        let networks = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let bad = networks.first(where: { IPNetwork($0) == nil }) {
            throw ConfigurationError(
                setting: SettingName.httpDenyNetworks, reason: "\"\(bad)\" is not a network in CIDR notation, e.g. 10.96.0.0/12 or fd00::/8",
                origin: origin)
        }
        return networks
    }

    /// An integer setting within `range`; `fallback` when it is not set.
    func boundedInteger(
        _ values: SettingValues, _ name: String, _ fallback: Int64, _ range: ClosedRange<Int64>
    ) throws(ConfigurationError) -> Int64 {
        guard let (value, origin) = try values.integer(name) else { return fallback }
        guard range.contains(value) else {
            throw ConfigurationError(setting: name, reason: "\(value) is outside \(range.lowerBound)-\(range.upperBound)", origin: origin)
        }
        return value
    }
}
