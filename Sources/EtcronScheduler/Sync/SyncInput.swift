import CronSchedule
import EtcronCore
import EtcronProto
import Foundation

/// Everything `sync` decides from: one job's spec, status, runs and pending triggers, the
/// live executors, the tenant's load, the leader's token and the time. A pure value: the
/// leader builds it from its index; tests build it by hand with any `now`.
public struct SyncInput: Sendable {
    /// A pending manual trigger.
    public struct Trigger: Sendable, Hashable {
        /// Its ID (the last key segment; time-sortable).
        public var id: String
        /// The request.
        public var request: Etcron_V1_ManualTrigger

        /// A trigger with `id`.
        public init(id: String, request: Etcron_V1_ManualTrigger) {
            self.id = id
            self.request = request
        }
    }

    /// The job.
    var job: JobID
    /// What `sync` reads of the job's spec (valid: its schedule compiled).
    var spec: SchedulingSpec
    /// The compiled schedule, in the spec's time zone, seeded with `tenant/name`.
    public var schedule: CronSchedule
    /// The mod revision of the spec record.
    public var specRevision: Int64
    /// The job's status; nil before the first decision.
    public var status: Etcron_V1_JobStatus?
    /// Every run record of the job (active and finished).
    public var runs: [Etcron_V1_Run]
    /// Manual triggers not yet turned into runs.
    public var triggers: [Trigger]
    /// Replicas with a live session (executors that can take runs).
    public var liveMembers: Set<String>
    /// The session lease of each live replica, when known: a run claimed under another
    /// lease of the same replica (it restarted) has lost its executor.
    public var memberLeases: [String: Int64]
    /// Runs of the job's tenant that are active now, across all its jobs.
    public var tenantActiveRuns: Int
    /// The tenant's limit of concurrently active runs; nil means none.
    public var tenantRunQuota: Int?
    /// Why the job's target may not run (its tenant's target policy refuses the target of
    /// a spec an editor wrote); nil when it may. Due times are then skipped with reason
    /// `error` and manual triggers end as failed runs, with this message.
    public var targetRefusal: String?
    /// The deciding leader's fencing token, written into every record.
    public var leaderToken: Int64
    /// Now.
    public var now: Date

    /// An input for the job `spec` names; `triggers`, `runs` and the tenant numbers
    /// default to empty.
    public init(
        spec: Etcron_V1_JobSpec, schedule: CronSchedule, specRevision: Int64, status: Etcron_V1_JobStatus?,
        runs: [Etcron_V1_Run] = [], triggers: [Trigger] = [], liveMembers: Set<String> = [],
        memberLeases: [String: Int64] = [:], tenantActiveRuns: Int = 0, tenantRunQuota: Int? = nil, targetRefusal: String? = nil,
        leaderToken: Int64, now: Date
    ) {
        self.init(
            job: JobID(tenant: spec.tenant, name: spec.name), spec: SchedulingSpec(spec), schedule: schedule, specRevision: specRevision,
            status: status, runs: runs, triggers: triggers, liveMembers: liveMembers, memberLeases: memberLeases,
            tenantActiveRuns: tenantActiveRuns, tenantRunQuota: tenantRunQuota, targetRefusal: targetRefusal, leaderToken: leaderToken,
            now: now)
    }

    /// An input for `job` from what the leader keeps of its spec.
    init(
        job: JobID, spec: SchedulingSpec, schedule: CronSchedule, specRevision: Int64, status: Etcron_V1_JobStatus?,
        runs: [Etcron_V1_Run], triggers: [Trigger], liveMembers: Set<String>, memberLeases: [String: Int64],
        tenantActiveRuns: Int, tenantRunQuota: Int?, targetRefusal: String?, leaderToken: Int64, now: Date
    ) {
        self.targetRefusal = targetRefusal
        self.job = job
        self.spec = spec
        self.schedule = schedule
        self.specRevision = specRevision
        self.status = status
        self.runs = runs
        self.triggers = triggers
        self.liveMembers = liveMembers
        self.memberLeases = memberLeases
        self.tenantActiveRuns = tenantActiveRuns
        self.tenantRunQuota = tenantRunQuota
        self.leaderToken = leaderToken
        self.now = now
    }
}

/// What `sync` decided: records to create or change, all committed together in one fenced
/// transaction (decisions and new runs only if absent).
public struct SyncResult: Sendable {
    /// New decision records, one per scheduled time (or range of missed times).
    public var decisions: [Etcron_V1_Decision] = []
    /// New runs (pending, not yet assigned).
    public var newRuns: [Etcron_V1_Run] = []
    /// Existing runs changed (stop requested, executor lost, missed deadline, unassigned).
    public var updatedRuns: [Etcron_V1_Run] = []
    /// Pending runs ready to be assigned to an executor now.
    public var assignable: [String] = []
    /// Finished runs beyond the history limits, to delete.
    public var deletedRuns: [String] = []
    /// The invoke decisions the deleted runs carried, to write to the decision log in the
    /// same transaction.
    public var archivedDecisions: [Etcron_V1_Decision] = []
    /// Manual triggers turned into runs, to delete.
    public var consumedTriggers: [String] = []
    /// The new status, when it changed (see `statusToWrite` for when it is stored).
    public var status: Etcron_V1_JobStatus?
    /// When this job needs `sync` again because of time (next fire, a deadline); nil when
    /// only an event (spec, run or trigger change) can make it due.
    public var nextWake: Date?

    /// The status to store with this result (see ``DecisionPlacement``): nil when the
    /// result only invokes, because the new runs carry their decisions.
    public var statusToWrite: Etcron_V1_JobStatus? {
        DecisionPlacement.statusToWrite(status, decisions: decisions, trimsRuns: !deletedRuns.isEmpty)
    }

    /// Whether there is anything to write.
    public var isEmpty: Bool {
        decisions.isEmpty && newRuns.isEmpty && updatedRuns.isEmpty && deletedRuns.isEmpty
            && consumedTriggers.isEmpty && status == nil
    }
}
