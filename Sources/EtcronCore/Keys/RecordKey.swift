/// What an etcron key names: the one parser of the layout in ``JobKeys`` (every reader,
/// the leader's watch and the job store's scans go through it).
public enum RecordKey: Hashable, Sendable {
    /// `<prefix>jobs/<tenant>/<name>/spec`
    case spec(JobID)
    /// `<prefix>status/<tenant>/<name>`
    case status(JobID)
    /// `<prefix>jobs/<tenant>/<name>/runs/<run id>`
    case run(JobID, runID: String)
    /// `<prefix>jobs/<tenant>/<name>/triggers/<trigger id>`
    case trigger(JobID, triggerID: String)
    /// `<prefix>decisions/<tenant>/<name>/<time>`
    case decision(JobID, scheduledUnix: Int64)
    /// `<prefix>quotas/*` or `<prefix>quotas/<tenant>` with a valid tenant.
    case quota(QuotaScope)
    /// `<prefix>target-policies/*` or `<prefix>target-policies/<tenant>` with a valid tenant.
    case targetPolicy(QuotaScope)
    /// `<prefix>assignments/<replica>/<run id>`, or `.../b-<token>-<sequence>` (a batch)
    case assignment(replicaID: String, runID: String)
    /// `<prefix>members/<replica>`
    case member(replicaID: String)

    /// The job the record belongs to; nil for quotas and assignments.
    public var job: JobID? {
        switch self {
        case .spec(let id), .status(let id), .run(let id, _), .trigger(let id, _), .decision(let id, _): return id
        case .quota, .targetPolicy, .assignment, .member: return nil
        }
    }

    /// Parses `key` under `keys`' prefix; nil for anything that is not one of the records
    /// above (a quota key whose tenant is not a DNS subdomain included: see
    /// ``quotaKeyProblem(_:keys:)``). Scans UTF-8 without building intermediate strings:
    /// every event of the leader's watch goes through here.
    public init?(_ key: String, keys: JobKeys) {
        if let parts = Self.parts(key, after: keys.jobs) {
            guard parts.count >= 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            let id = JobID(tenant: String(parts[0]), name: String(parts[1]))
            switch (parts[2], parts.count) {
            case ("spec", 3): self = .spec(id)
            case ("runs", 4) where !parts[3].isEmpty: self = .run(id, runID: String(parts[3]))
            case ("triggers", 4) where !parts[3].isEmpty: self = .trigger(id, triggerID: String(parts[3]))
            default: return nil
            }
        } else if let parts = Self.parts(key, after: keys.statuses) {
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self = .status(JobID(tenant: String(parts[0]), name: String(parts[1])))
        } else if let parts = Self.parts(key, after: keys.decisionLog) {
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, let time = Int64(parts[2]) else { return nil }
            self = .decision(JobID(tenant: String(parts[0]), name: String(parts[1])), scheduledUnix: time)
        } else if let parts = Self.parts(key, after: keys.assignmentsRoot) {
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self = .assignment(replicaID: String(parts[0]), runID: String(parts[1]))
        } else if let parts = Self.parts(key, after: keys.base.members) {
            guard parts.count == 1, !parts[0].isEmpty else { return nil }
            self = .member(replicaID: String(parts[0]))
        } else if let scope = Self.scope(key, prefix: keys.quotas) {
            self = .quota(scope)
        } else if let scope = Self.scope(key, prefix: keys.targetPolicies) {
            self = .targetPolicy(scope)
        } else {
            return nil
        }
    }

    /// Whether the UTF-8 bytes `key` name a run (`<prefix>jobs/<tenant>/<name>/runs/<run id>`):
    /// exactly when ``init(_:keys:)`` would parse `.run`, without building any string. The
    /// leader's watch sees one run created per invoke, its own, and skips it by this alone.
    public static func namesRun(_ key: some Collection<UInt8>, keys: JobKeys) -> Bool {
        let prefix = keys.jobs.utf8
        guard key.count > prefix.count, key.starts(with: prefix) else { return false }
        // The parts after the prefix: tenant, name, "runs", run ID; each non-empty.
        let runs = runsPart
        var part = 0
        var length = 0
        var isRuns = true
        for byte in key.dropFirst(prefix.count) {
            if byte == UInt8(ascii: "/") {
                guard length > 0, part < 3, part != 2 || (isRuns && length == runs.count) else { return false }
                part += 1
                length = 0
                continue
            }
            if part == 2 { isRuns = isRuns && length < runs.count && runs[length] == byte }
            length += 1
        }
        return part == 3 && length > 0
    }

    private static let runsPart: [UInt8] = Array("runs".utf8)

    /// Why `key`, which is under ``JobKeys/quotas``, names no quota record (its tenant is
    /// not a DNS subdomain, e.g. it holds a `/` or capitals); nil when it names one, or
    /// when the key is not under ``JobKeys/quotas`` at all.
    public static func quotaKeyProblem(_ key: String, keys: JobKeys) -> String? {
        scopeProblem(key, prefix: keys.quotas, kind: "quota")
    }

    /// The scope a tenant-scoped record's key under `prefix` names (`*`: the default, or a
    /// tenant that is a DNS subdomain); nil for any other key.
    private static func scope(_ key: String, prefix: String) -> QuotaScope? {
        guard key.hasPrefix(prefix), scopeProblem(key, prefix: prefix, kind: "") == nil else { return nil }
        let segment = String(key.dropFirst(prefix.count))
        return segment == "*" ? .default : .tenant(segment)
    }

    /// Why `key`, a tenant-scoped record's key under `prefix` (`*` or a tenant), names
    /// no `kind` record; nil when it names one, or is not under `prefix`.
    public static func scopeProblem(_ key: String, prefix: String, kind: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        let segment = String(key.dropFirst(prefix.count))
        guard segment != "*", let reason = JobName.refusal(of: segment) else { return nil }
        return "is not a \(kind) key: its tenant \(reason)"
    }

    /// The `/`-separated parts of `key` after `prefix` (at most 5: more is no record's
    /// key), nil when `key` does not start with it or nothing follows it.
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
