import CronSchedule
import EtcronCore
import EtcronProto
import Foundation

extension Components.Schemas.Job {
    /// A stored job as the contract describes it; with `description`, its status too (an
    /// answer about one job), without (a list item), none.
    public init(_ job: StoredJob, description: JobDescription? = nil, now: Date = Date()) {
        let spec = job.spec
        let manifest = JobManifest(spec)
        let createdAt = Instants.date(milliseconds: spec.createdAtUnixMs) ?? Date(timeIntervalSince1970: 0)
        let metadata = Components.Schemas.JobMetadata(
            createdAt: createdAt,
            createdBy: spec.createdBy.isEmpty ? nil : spec.createdBy,
            createRevision: String(job.createRevision),
            updatedAt: Instants.date(milliseconds: spec.updatedAtUnixMs) ?? createdAt,
            updatedBy: spec.updatedBy.isEmpty ? nil : spec.updatedBy,
            scheduleSince: Instants.date(milliseconds: spec.scheduleSinceUnixMs),
            everyAnchor: spec.schedule.hasPrefix("@every") ? Instants.date(seconds: spec.everyAnchorUnix) : nil,
            lastSuspendChange: spec.hasLastSuspendChange ? .init(spec.lastSuspendChange) : nil,
            scheduleHistory: spec.scheduleHistory.isEmpty ? nil : spec.scheduleHistory.map(Components.Schemas.ScheduleEra.init))
        self.init(
            tenant: job.id.tenant, name: job.id.name, schedule: spec.schedule, timeZone: manifest.timeZone,
            concurrencyPolicy: manifest.concurrencyPolicy.flatMap { .init(rawValue: $0.rawValue) },
            startingDeadlineSeconds: manifest.startingDeadlineSeconds, suspend: manifest.suspend,
            target: manifest.target.map(Components.Schemas.Target.init) ?? .init(),
            retry: manifest.retry.map { .init(maxRetries: $0.maxRetries, initialBackoffMs: $0.initialBackoffMs, maxBackoffMs: $0.maxBackoffMs) },
            attemptTimeoutSeconds: manifest.attemptTimeoutSeconds,
            history: manifest.history.map { .init(succeeded: $0.succeeded, failed: $0.failed) },
            labels: manifest.labels.map { .init(additionalProperties: $0) },
            description: manifest.description, owner: manifest.owner,
            resourceVersion: String(job.modRevision), metadata: metadata,
            status: description.map { Components.Schemas.JobStatus($0, now: now) })
    }
}

extension Components.Schemas.SuspendChange {
    public init(_ change: Etcron_V1_SuspendChange) {
        self.init(
            action: change.suspended ? .suspend : .resume, at: Date(timeIntervalSince1970: Double(change.atUnixMs) / 1000),
            by: change.by.isEmpty ? nil : change.by, note: change.note.isEmpty ? nil : change.note)
    }
}

extension Components.Schemas.JobStatus {
    public init(_ description: JobDescription, now: Date) {
        let status = description.status ?? Etcron_V1_JobStatus()
        let spec = description.job.spec
        var next: Date?
        if !spec.suspend, let compiled = try? CompiledJob(spec: spec) {
            let from = max(Int64(now.timeIntervalSince1970), status.decidedThroughUnix)
            next = compiled.schedule.next(after: CronInstant(secondsSinceEpoch: from))
                .map { Date(timeIntervalSince1970: Double($0.secondsSinceEpoch)) }
        }
        self.init(
            decidedThrough: Instants.date(seconds: status.decidedThroughUnix),
            specRevision: Instants.revision(status.specRevision),
            lastInvokedAt: Instants.date(seconds: status.lastInvokedUnix),
            invocations: status.invocations, skips: status.skips,
            lastErrorAt: Instants.date(seconds: status.lastErrorUnix),
            nextScheduledAt: next,
            pendingTriggers: Int32(clamping: description.pendingTriggers))
    }
}

extension Components.Schemas.ScheduleEra {
    /// A schedule a job had.
    public init(_ era: Etcron_V1_ScheduleEra) {
        self.init(
            schedule: era.schedule, timeZone: era.timeZone.isEmpty ? nil : era.timeZone,
            everyAnchor: era.schedule.hasPrefix("@every") ? Instants.date(seconds: era.everyAnchorUnix) : nil,
            since: Date(timeIntervalSince1970: Double(era.sinceUnixMs) / 1000),
            until: Date(timeIntervalSince1970: Double(era.untilUnixMs) / 1000))
    }
}
