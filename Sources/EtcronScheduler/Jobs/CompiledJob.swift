import CronSchedule
import EtcronProto

/// A valid job ready to schedule: its spec, its compiled schedule and its identity.
///
/// The leader builds one per spec it reads; a spec that fails here is reported (decision
/// reason `error`) and skipped, never scheduled. Keys are computed on demand
/// (``keys(in:)``) rather than stored, to keep the per-job footprint small.
public struct CompiledJob: Sendable {
    /// The job's tenant and name.
    public let id: JobID
    /// The spec as stored.
    public let spec: Etcron_V1_JobSpec
    /// The schedule, compiled in the job's zone with `H` seeded by `tenant/name` and
    /// `@every` anchored at `every_anchor_unix`.
    public let schedule: CronSchedule

    /// Validates and compiles `spec`.
    /// - Throws: ``JobValidationError`` with every problem (see ``JobValidation``).
    public init(spec: Etcron_V1_JobSpec) throws(JobValidationError) {
        let (problems, schedule) = JobValidation.check(spec)
        guard problems.isEmpty, let schedule else {
            throw JobValidationError(problems: problems.isEmpty
                ? [JobValidationProblem(field: "schedule", reason: "could not be compiled")] : problems)
        }
        self.id = JobID(tenant: spec.tenant, name: spec.name)
        self.spec = spec
        self.schedule = schedule
    }

    /// The etcd keys of this job's records under `keys`' prefix.
    public func keys(in keys: JobKeys) -> JobRecordKeys {
        JobRecordKeys(keys, id)
    }
}

/// The etcd keys of one job's records (see ``JobKeys``).
public struct JobRecordKeys: Sendable, Hashable {
    /// The common prefix of all the job's records.
    public let job: String
    /// The spec.
    public let spec: String
    /// The leader-written status.
    public let status: String
    /// The decisions' prefix.
    public let decisions: String
    /// The runs' prefix.
    public let runs: String
    /// The pending manual triggers' prefix.
    public let triggers: String

    /// The keys of job `id` under `keys`' prefix.
    public init(_ keys: JobKeys, _ id: JobID) {
        job = keys.job(id.tenant, id.name)
        spec = keys.spec(id.tenant, id.name)
        status = keys.status(id.tenant, id.name)
        decisions = keys.decisions(id.tenant, id.name)
        runs = keys.runs(id.tenant, id.name)
        triggers = keys.triggers(id.tenant, id.name)
    }
}
