import CronSchedule
import EtcronProto

/// What the leader keeps in memory about one job: enough to run `sync` without reading
/// etcd. Decisions are not kept (the status cursor summarises them).
struct JobEntry: Sendable {
    var spec: Etcron_V1_JobSpec?
    var specRevision: Int64 = 0
    /// The compiled schedule, or why the spec could not be used.
    var schedule: Result<CronSchedule, JobSpecProblem>?
    var status: Etcron_V1_JobStatus?
    /// The mod revision of the status known (read, or committed by this leader).
    var statusRevision: Int64 = 0
    var runs: [String: Etcron_V1_Run] = [:]
    var runRevisions: [String: Int64] = [:]
    var triggers: [String: Etcron_V1_ManualTrigger] = [:]
    /// The spec revision an `error` decision was last recorded for (one per bad revision).
    var reportedErrorRevision: Int64 = 0

    /// Runs not yet finished.
    var activeRuns: Int { runs.values.reduce(0) { $0 + ($1.isActive ? 1 : 0) } }

    var isEmpty: Bool { spec == nil && schedule == nil && runs.isEmpty && triggers.isEmpty && status == nil }
}

/// Why a stored spec cannot be scheduled (corrupt bytes, invalid schedule).
struct JobSpecProblem: Error, Sendable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
