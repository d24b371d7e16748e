import EtcronCore
import EtcronProto

/// Everything needed to run one run of a job: what to run, how often to retry it, and how
/// long each attempt may take. A value: build it from the job's spec and the run record.
public struct RunRequest: Sendable {
    /// The run's ID; handed to the target as its idempotency key.
    public var runID: String
    /// The job's tenant.
    public var tenant: String
    /// The job's name.
    public var job: String
    /// The scheduled time (unix seconds) the run is for.
    public var scheduledUnix: Int64
    /// What to run: an exec or an http target.
    public var target: Etcron_V1_Target
    /// Retries inside the run.
    public var retry: Etcron_V1_RetryPolicy
    /// Attempts of this run already made by executors that were lost mid-run (0 for a
    /// run's first executor). They count against `retry`: this request makes at most
    /// ``remainingAttempts`` attempts, numbered from `earlierAttempts + 1`.
    public var earlierAttempts: Int
    /// How long one attempt may take; nil (or a duration that is not positive) means no
    /// limit.
    public var attemptTimeout: Duration?
    /// How long an exec target has between SIGTERM and SIGKILL when it is stopped or
    /// timed out.
    public var stopGrace: Duration
    /// For a job an editor wrote: its tenant's target policy, checked again before every
    /// attempt (and, for an http target, on every address it connects to); nil for
    /// admins' jobs.
    public var targetPolicy: Etcron_V1_TargetPolicy?
    /// Why the target policy of a job an editor wrote could not be read: its attempts
    /// fail with this message.
    public var policyProblem: String?

    /// Why this request's target may not run under its tenant's policy; nil when it may.
    public var policyRefusal: String? {
        if let policyProblem { return policyProblem }
        guard let targetPolicy, let target = PolicedTarget(target), let (field, reason) = targetPolicy.refusal(of: target, tenant: tenant) else {
            return nil
        }
        return "not run: \(field): \(reason)"
    }

    /// Describes a run; see the properties.
    public init(
        runID: String,
        tenant: String,
        job: String,
        scheduledUnix: Int64,
        target: Etcron_V1_Target,
        retry: Etcron_V1_RetryPolicy = Etcron_V1_RetryPolicy(),
        earlierAttempts: Int = 0,
        attemptTimeout: Duration? = nil,
        stopGrace: Duration = .seconds(10)
    ) {
        self.runID = runID
        self.tenant = tenant
        self.job = job
        self.scheduledUnix = scheduledUnix
        self.target = target
        self.retry = retry
        self.earlierAttempts = max(0, earlierAttempts)
        self.attemptTimeout = attemptTimeout
        self.stopGrace = stopGrace
    }

    /// The request for `run` of the job described by `spec`: target, retry policy and
    /// per-attempt timeout come from the spec, identity and scheduled time from the run;
    /// `earlierAttempts` are the attempts lost executors already made of it.
    public init(run: Etcron_V1_Run, spec: Etcron_V1_JobSpec, earlierAttempts: Int = 0, stopGrace: Duration = .seconds(10)) {
        self.init(
            runID: run.runID,
            tenant: run.tenant,
            job: run.job,
            scheduledUnix: run.scheduledUnix,
            target: spec.target,
            retry: spec.retry,
            earlierAttempts: earlierAttempts,
            attemptTimeout: spec.attemptTimeoutSeconds > 0 ? .seconds(spec.attemptTimeoutSeconds) : nil,
            stopGrace: stopGrace
        )
    }

    /// The run's attempt limit: the policy's retries plus one.
    public var attemptLimit: Int { RetryBackoff(retry).maxRetries + 1 }

    /// How many attempts this request may still make: what `attemptLimit` leaves after
    /// `earlierAttempts`, and at least one (a run handed over is always tried once more,
    /// even if its policy shrank in between).
    public var remainingAttempts: Int { max(1, attemptLimit - earlierAttempts) }
}
