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
