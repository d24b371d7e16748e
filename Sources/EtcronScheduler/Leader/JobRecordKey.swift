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
        if let parts = Self.parts(key, after: keys.statuses) {
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self = .status(JobID(tenant: String(parts[0]), name: String(parts[1])))
            return
        }
        guard let parts = Self.parts(key, after: keys.jobs), parts.count >= 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        let id = JobID(tenant: String(parts[0]), name: String(parts[1]))
        switch (parts[2], parts.count) {
        case ("spec", 3): self = .spec(id)
        case ("runs", 4): self = .run(id, runID: String(parts[3]))
        case ("triggers", 4): self = .trigger(id, triggerID: String(parts[3]))
        default: return nil
        }
    }

    /// The `/`-separated parts of `key` after `prefix` (at most 5: more is no record's
    /// key), nil when `key` does not start with it. Scans UTF-8: every record event of the
    /// leader's watch goes through here.
    private static func parts(_ key: String, after prefix: String) -> [Substring]? {
        let utf8 = key.utf8
        guard utf8.count > prefix.utf8.count, utf8.starts(with: prefix.utf8) else { return nil }
        var parts: [Substring] = []
        parts.reserveCapacity(4)
        var start = utf8.index(utf8.startIndex, offsetBy: prefix.utf8.count)
        while parts.count < 5 {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
            parts.append(key[start..<end])
            guard end != utf8.endIndex else { break }
            start = utf8.index(after: end)
        }
        return parts
    }
}
