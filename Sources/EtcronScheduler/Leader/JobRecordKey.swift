/// What a key under `<prefix>jobs/` or `<prefix>status/` is.
enum JobRecordKey: Hashable {
    case spec(JobID)
    case status(JobID)
    case run(JobID, runID: String)
    case trigger(JobID, triggerID: String)

    var job: JobID {
        switch self {
        case .spec(let id), .status(let id), .run(let id, _), .trigger(let id, _): return id
        }
    }

    /// Parses `<jobs prefix><tenant>/<name>/<kind>[/<id>]` and
    /// `<status prefix><tenant>/<name>`; nil for anything else.
    init?(_ key: String, keys: JobKeys) {
        if key.hasPrefix(keys.statuses) {
            let parts = key.dropFirst(keys.statuses.count).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self = .status(JobID(tenant: String(parts[0]), name: String(parts[1])))
            return
        }
        let jobsPrefix = keys.jobs
        guard key.hasPrefix(jobsPrefix) else { return nil }
        let parts = key.dropFirst(jobsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        let id = JobID(tenant: String(parts[0]), name: String(parts[1]))
        switch (parts[2], parts.count) {
        case ("spec", 3): self = .spec(id)
        case ("runs", 4): self = .run(id, runID: String(parts[3]))
        case ("triggers", 4): self = .trigger(id, triggerID: String(parts[3]))
        default: return nil
        }
    }
}
