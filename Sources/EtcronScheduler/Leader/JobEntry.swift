import CronSchedule
import EtcronCore
import EtcronProto

/// What the leader keeps in memory about one job: enough to run `sync` without reading
/// etcd. Decisions are not kept (the status cursor summarises them).
///
/// A value with copy-on-write storage: the index's dictionary then holds one pointer per
/// job instead of the whole entry (a dictionary keeps up to 2.7 buckets per entry, so an
/// inline entry of ~270 bytes cost ~800 bytes a job), and a worker's copy stays a cheap,
/// consistent snapshot while the index changes the job.
struct JobEntry: Sendable {
    private final class Storage: @unchecked Sendable {
        // Mutated only through `JobEntry`, after `isKnownUniquelyReferenced` (never shared
        // while written).
        var spec: SchedulingSpec?
        var specRevision: Int64 = 0
        var schedule: Result<CronSchedule, JobSpecProblem>?
        var status: Etcron_V1_JobStatus?
        var statusRevision: Int64 = 0
        var runs: [String: Etcron_V1_Run] = [:]
        /// Runs not yet finished, recounted whenever `runs` changes (the index reads it on
        /// every change of any job, to keep the per-tenant counts).
        var activeRuns = 0
        var runRevisions: [String: Int64] = [:]
        var triggers: [String: Etcron_V1_ManualTrigger] = [:]
        var reportedErrorRevision: Int64 = 0

        init() {}

        func copy() -> Storage {
            let copy = Storage()
            copy.spec = spec
            copy.specRevision = specRevision
            copy.schedule = schedule
            copy.status = status
            copy.statusRevision = statusRevision
            copy.runs = runs
            copy.activeRuns = activeRuns
            copy.runRevisions = runRevisions
            copy.triggers = triggers
            copy.reportedErrorRevision = reportedErrorRevision
            return copy
        }
    }

    private var storage = Storage()

    init() {}

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The spec's scheduling fields; nil when the spec record is gone or cannot be decoded.
    var spec: SchedulingSpec? {
        get { storage.spec }
        set { unique().spec = newValue }
    }
    var specRevision: Int64 {
        get { storage.specRevision }
        set { unique().specRevision = newValue }
    }
    /// The compiled schedule, or why the spec could not be used.
    var schedule: Result<CronSchedule, JobSpecProblem>? {
        get { storage.schedule }
        set { unique().schedule = newValue }
    }
    var status: Etcron_V1_JobStatus? {
        get { storage.status }
        set { unique().status = newValue }
    }
    /// The mod revision of the status known (read, or committed by this leader).
    var statusRevision: Int64 {
        get { storage.statusRevision }
        set { unique().statusRevision = newValue }
    }
    var runs: [String: Etcron_V1_Run] {
        get { storage.runs }
        _modify {
            let storage = unique()
            defer { storage.activeRuns = storage.runs.values.reduce(0) { $0 + ($1.isActive ? 1 : 0) } }
            yield &storage.runs
        }
    }
    var runRevisions: [String: Int64] {
        get { storage.runRevisions }
        _modify {
            let storage = unique()
            yield &storage.runRevisions
        }
    }
    var triggers: [String: Etcron_V1_ManualTrigger] {
        get { storage.triggers }
        _modify {
            let storage = unique()
            yield &storage.triggers
        }
    }
    /// The spec revision an `error` decision was last recorded for (one per bad revision).
    var reportedErrorRevision: Int64 {
        get { storage.reportedErrorRevision }
        set { unique().reportedErrorRevision = newValue }
    }

    /// Runs not yet finished.
    var activeRuns: Int { storage.activeRuns }

    var isEmpty: Bool {
        storage.spec == nil && storage.schedule == nil && storage.runs.isEmpty && storage.triggers.isEmpty && storage.status == nil
    }
}

/// Why a stored spec cannot be scheduled (corrupt bytes, invalid schedule).
struct JobSpecProblem: Error, Sendable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
