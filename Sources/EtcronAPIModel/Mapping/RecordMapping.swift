import EtcronCore
import EtcronProto
import Foundation

// The contract's types read back as the core's records, for the CLI speaking the API:
// every verb then renders the same output whether it read etcd or a replica.

extension JobManifest {
    /// The manifest part of a job read through the API.
    public init(_ job: Components.Schemas.Job) {
        self.init(
            Components.Schemas.JobManifest(
                tenant: job.tenant, name: job.name, schedule: job.schedule, timeZone: job.timeZone,
                concurrencyPolicy: job.concurrencyPolicy, startingDeadlineSeconds: job.startingDeadlineSeconds, suspend: job.suspend,
                target: job.target, retry: job.retry, attemptTimeoutSeconds: job.attemptTimeoutSeconds, history: job.history,
                labels: job.labels, description: job.description, owner: job.owner))
    }
}

extension StoredJob {
    /// A job read through the API, with its server-set fields.
    public init(_ job: Components.Schemas.Job) {
        var spec = JobManifest(job).uncheckedSpec
        let metadata = job.metadata
        spec.createdAtUnixMs = Self.milliseconds(metadata.createdAt)
        spec.updatedAtUnixMs = Self.milliseconds(metadata.updatedAt)
        spec.createdBy = metadata.createdBy ?? ""
        spec.updatedBy = metadata.updatedBy ?? ""
        spec.scheduleSinceUnixMs = metadata.scheduleSince.map(Self.milliseconds) ?? 0
        spec.everyAnchorUnix = metadata.everyAnchor.map { Int64($0.timeIntervalSince1970) } ?? 0
        spec.scheduleHistory = (metadata.scheduleHistory ?? []).map { era in
            var record = Etcron_V1_ScheduleEra()
            record.schedule = era.schedule
            record.timeZone = era.timeZone ?? ""
            record.everyAnchorUnix = era.everyAnchor.map { Int64($0.timeIntervalSince1970) } ?? 0
            record.sinceUnixMs = Self.milliseconds(era.since)
            record.untilUnixMs = Self.milliseconds(era.until)
            return record
        }
        if let change = metadata.lastSuspendChange {
            var record = Etcron_V1_SuspendChange()
            record.suspended = change.action == .suspend
            record.atUnixMs = Self.milliseconds(change.at)
            record.by = change.by ?? ""
            record.note = change.note ?? ""
            spec.lastSuspendChange = record
        }
        self.init(
            id: JobID(tenant: job.tenant, name: job.name), spec: spec, createRevision: Int64(metadata.createRevision) ?? 0,
            modRevision: Int64(job.resourceVersion) ?? 0)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

extension Etcron_V1_JobStatus {
    /// The status part of a job read through the API.
    public init(_ status: Components.Schemas.JobStatus) {
        self.init()
        decidedThroughUnix = status.decidedThrough.map { Int64($0.timeIntervalSince1970) } ?? 0
        specRevision = status.specRevision.flatMap { Int64($0) } ?? 0
        lastInvokedUnix = status.lastInvokedAt.map { Int64($0.timeIntervalSince1970) } ?? 0
        invocations = status.invocations
        skips = status.skips
        lastErrorUnix = status.lastErrorAt.map { Int64($0.timeIntervalSince1970) } ?? 0
    }
}

extension Etcron_V1_Run {
    /// A run read through the API.
    public init(_ run: Components.Schemas.Run) {
        self.init()
        let ms = { (date: Date?) in date.map(StoredJob.milliseconds) ?? 0 }
        runID = run.runID
        tenant = run.tenant
        job = run.job
        manual = run.manual
        scheduledUnix = run.scheduledAt.map { Int64($0.timeIntervalSince1970) } ?? (run.requestedAt.map { Int64($0.timeIntervalSince1970) } ?? 0)
        note = run.note ?? ""
        requestedBy = run.triggeredBy ?? ""
        requestedAtUnixMs = ms(run.requestedAt)
        state = Etcron_V1_RunState(run.state)
        assignedTo = run.assignedTo ?? ""
        createdAtUnixMs = ms(run.createdAt)
        claimedAtUnixMs = ms(run.claimedAt)
        startedAtUnixMs = ms(run.startedAt)
        finishedAtUnixMs = ms(run.finishedAt)
        attempts = run.attempts
        exitCode = run.exitCode ?? 0
        httpStatus = run.httpStatus ?? 0
        message = run.message ?? ""
        stopRequested = run.stopRequested ?? false
        waitsFor = run.waitsFor ?? []
        leaderToken = run.leaderToken.flatMap { Int64($0) } ?? 0
        decidedAtUnixMs = ms(run.decision?.decidedAt)
        decisionMessage = run.decision?.message ?? ""
        output = Data((run.output ?? "").utf8)
    }
}

extension Etcron_V1_RunState {
    /// A run state of the contract (`requested`: a trigger not yet turned into a run).
    public init(_ state: Components.Schemas.RunState) {
        switch state {
        case .requested, .pending: self = .pending
        case .running: self = .running
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .timedOut: self = .timedOut
        case .stopped: self = .stopped
        case .executorLost: self = .executorLost
        case .unknown: self = .unspecified
        }
    }
}

extension Etcron_V1_Decision {
    /// A decision read through the API.
    public init(_ decision: Components.Schemas.Decision) {
        self.init()
        scheduledUnix = Int64(decision.scheduledAt.timeIntervalSince1970)
        kind = decision.decision == .invoke ? .invoke : decision.decision == .skip ? .skip : .unspecified
        reason =
            switch decision.reason {
            case .concurrencyPolicy?: .concurrencyPolicy
            case .missedDeadline?: .missedDeadline
            case .suspended?: .suspended
            case .error?: .error
            case .quota?: .quota
            case .unknown?, nil: .unspecified
            }
        message = decision.message ?? ""
        runID = decision.runID ?? ""
        count = decision.count
        rangeStartUnix = decision.rangeStart.map { Int64($0.timeIntervalSince1970) } ?? 0
        decidedAtUnixMs = StoredJob.milliseconds(decision.decidedAt)
        leaderToken = Int64(decision.leaderToken) ?? 0
        if let kept = decision.outcome {
            var record = Etcron_V1_RunOutcome()
            record.state = Etcron_V1_RunState(kept.state)
            record.startedAtUnixMs = kept.startedAt.map(StoredJob.milliseconds) ?? 0
            record.finishedAtUnixMs = kept.finishedAt.map(StoredJob.milliseconds) ?? 0
            record.attempts = kept.attempts
            record.message = kept.message ?? ""
            outcome = record
        }
    }
}

extension StoredQuota {
    /// A quota record read through the API.
    public init(_ quota: Components.Schemas.Quota) {
        var record = Etcron_V1_TenantQuota()
        record.maxJobs = quota.maxJobs
        record.maxRunningRuns = quota.maxRunningRuns
        record.note = quota.note ?? ""
        record.updatedAtUnixMs = quota.updatedAt.map(StoredJob.milliseconds) ?? 0
        self.init(
            scope: quota.tenant.map { .tenant($0) } ?? .default, quota: record, modRevision: quota.resourceVersion.flatMap { Int64($0) } ?? 0)
    }
}

extension ClusterStatus {
    /// The cluster's status read through the API.
    public init(_ status: Components.Schemas.ClusterStatus) {
        self.init(
            leader: status.leader.map {
                Leader(
                    replicaID: $0.replicaID, address: $0.address, fencingToken: Int64($0.fencingToken) ?? 0, termStartedAt: $0.termStartedAt,
                    lastHeartbeatAt: $0.lastHeartbeatAt)
            },
            members: status.members.map {
                Member(
                    replicaID: $0.replicaID, role: $0.role.rawValue, version: $0.version, address: $0.address, startedAt: $0.startedAt,
                    lastHeartbeatAt: $0.lastHeartbeatAt, leaseID: Int64($0.leaseID) ?? 0)
            },
            revision: Int64(status.revision) ?? 0,
            recentTerms: (status.recentLeaders ?? []).map {
                Term(replicaID: $0.replicaID, fencingToken: Int64($0.fencingToken) ?? 0, startedAt: $0.startedAt)
            })
    }
}
