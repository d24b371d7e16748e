extension JobKeys {
    /// The job whose spec is stored at `key`, or nil when `key` is not a spec key
    /// (`<prefix>jobs/<tenant>/<name>/spec`, with no `/` in tenant or name).
    public func jobID(ofSpecKey key: String) -> JobID? {
        guard key.hasPrefix(jobs) else { return nil }
        let parts = key.dropFirst(jobs.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2] == "spec", !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return JobID(tenant: String(parts[0]), name: String(parts[1]))
    }
}
