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
    /// How long one attempt may take; nil (or a duration that is not positive) means no
    /// limit.
    public var attemptTimeout: Duration?
    /// How long an exec target has between SIGTERM and SIGKILL when it is stopped or
    /// timed out.
    public var stopGrace: Duration

    /// Describes a run; see the properties.
    public init(
        runID: String,
        tenant: String,
        job: String,
        scheduledUnix: Int64,
        target: Etcron_V1_Target,
        retry: Etcron_V1_RetryPolicy = Etcron_V1_RetryPolicy(),
        attemptTimeout: Duration? = nil,
        stopGrace: Duration = .seconds(10)
    ) {
        self.runID = runID
        self.tenant = tenant
        self.job = job
        self.scheduledUnix = scheduledUnix
        self.target = target
        self.retry = retry
        self.attemptTimeout = attemptTimeout
        self.stopGrace = stopGrace
    }

    /// The request for `run` of the job described by `spec`: target, retry policy and
    /// per-attempt timeout come from the spec, identity and scheduled time from the run.
    public init(run: Etcron_V1_Run, spec: Etcron_V1_JobSpec, stopGrace: Duration = .seconds(10)) {
        self.init(
            runID: run.runID,
            tenant: run.tenant,
            job: run.job,
            scheduledUnix: run.scheduledUnix,
            target: spec.target,
            retry: spec.retry,
            attemptTimeout: spec.attemptTimeoutSeconds > 0 ? .seconds(spec.attemptTimeoutSeconds) : nil,
            stopGrace: stopGrace
        )
    }
}
