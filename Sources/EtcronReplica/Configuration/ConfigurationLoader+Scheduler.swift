extension ConfigurationLoader {
    /// `executor`: true or false.
    func executorEnabled(_ values: SettingValues) throws(ConfigurationError) -> Bool {
        try values.boolean(SettingName.executor)?.value ?? true
    }

    /// `scheduler-workers`: 1 to 64.
    func schedulerWorkers(_ values: SettingValues) throws(ConfigurationError) -> Int {
        let name = SettingName.schedulerWorkers
        guard let (count, origin) = try values.integer(name) else { return ReplicaConfiguration.Defaults.schedulerWorkers }
        let range = ReplicaConfiguration.Defaults.schedulerWorkersRange
        guard range.contains(count) else {
            throw ConfigurationError(setting: name, reason: "\(count) is outside \(range.lowerBound)-\(range.upperBound)", origin: origin)
        }
        return Int(count)
    }
}
