import EtcronAPIModel
import Foundation

/// Jobs and job lists as the contract's JSON, written by hand into ``JSONOut``: the same
/// bytes the generated server writes through Foundation's `JSONEncoder`, for a small
/// fraction of its time (a page of 100 jobs spent most of a replica's CPU in the encoder).
/// Members are listed in Foundation's sorted-keys order; `JobJSONTests` compares every
/// field against the generated encoding, so a field added to the contract but not here
/// fails there.
enum JobJSON {
    /// A page of jobs.
    static func encode(_ list: Components.Schemas.JobList) -> [UInt8] {
        var out = JSONOut(capacity: 1024 + list.items.count * 900)
        out.beginObject()
        if let next = list._continue {
            member(next, "continue", &out)
        }
        out.key("items")
        out.beginArray()
        for job in list.items { write(job, to: &out) }
        out.endArray()
        if let skipped = list.skippedRecords {
            out.key("skippedRecords")
            out.beginArray()
            for record in skipped {
                out.beginObject()
                member(record.key, "key", &out)
                member(record.reason, "reason", &out)
                out.endObject()
            }
            out.endArray()
        }
        out.endObject()
        return out.bytes
    }

    /// One job.
    static func encode(_ job: Components.Schemas.Job) -> [UInt8] {
        var out = JSONOut()
        write(job, to: &out)
        return out.bytes
    }

    static func write(_ job: Components.Schemas.Job, to out: inout JSONOut) {
        out.beginObject()
        member(job.attemptTimeoutSeconds, "attemptTimeoutSeconds", &out)
        member(job.concurrencyPolicy?.rawValue, "concurrencyPolicy", &out)
        member(job.description, "description", &out)
        if let value = job.history {
            out.key("history")
            out.beginObject()
            member(value.failed, "failed", &out)
            member(value.succeeded, "succeeded", &out)
            out.endObject()
        }
        if let value = job.labels {
            out.key("labels")
            out.dictionary(value.additionalProperties)
        }
        out.key("metadata")
        write(job.metadata, to: &out)
        member(job.name, "name", &out)
        member(job.owner, "owner", &out)
        member(job.resourceVersion, "resourceVersion", &out)
        if let value = job.retry {
            out.key("retry")
            out.beginObject()
            member(value.initialBackoffMs, "initialBackoffMs", &out)
            member(value.maxBackoffMs, "maxBackoffMs", &out)
            member(value.maxRetries, "maxRetries", &out)
            out.endObject()
        }
        member(job.schedule, "schedule", &out)
        member(job.startingDeadlineSeconds, "startingDeadlineSeconds", &out)
        if let value = job.status {
            out.key("status")
            write(value, to: &out)
        }
        if let value = job.suspend {
            out.key("suspend")
            out.bool(value)
        }
        out.key("target")
        write(job.target, to: &out)
        member(job.tenant, "tenant", &out)
        member(job.timeZone, "timeZone", &out)
        out.endObject()
    }

    static func write(_ target: Components.Schemas.Target, to out: inout JSONOut) {
        out.beginObject()
        if let exec = target.exec {
            out.key("exec")
            out.beginObject()
            if let args = exec.args {
                out.key("args")
                out.beginArray()
                for arg in args { out.string(arg) }
                out.endArray()
            }
            member(exec.command, "command", &out)
            if let env = exec.env {
                out.key("env")
                out.dictionary(env.additionalProperties)
            }
            member(exec.workingDirectory, "workingDirectory", &out)
            out.endObject()
        }
        if let http = target.http {
            out.key("http")
            out.beginObject()
            member(http.body, "body", &out)
            if let statuses = http.expectedStatus {
                out.key("expectedStatus")
                out.beginArray()
                for status in statuses { out.integer(status) }
                out.endArray()
            }
            if let headers = http.headers {
                out.key("headers")
                out.dictionary(headers.additionalProperties)
            }
            member(http.method, "method", &out)
            member(http.url, "url", &out)
            out.endObject()
        }
        out.endObject()
    }

    static func write(_ metadata: Components.Schemas.JobMetadata, to out: inout JSONOut) {
        out.beginObject()
        member(metadata.createRevision, "createRevision", &out)
        dateMember(metadata.createdAt, "createdAt", &out)
        member(metadata.createdBy, "createdBy", &out)
        dateMember(metadata.everyAnchor, "everyAnchor", &out)
        if let change = metadata.lastSuspendChange {
            out.key("lastSuspendChange")
            out.beginObject()
            member(change.action.rawValue, "action", &out)
            dateMember(change.at, "at", &out)
            member(change.by, "by", &out)
            member(change.note, "note", &out)
            out.endObject()
        }
        if let eras = metadata.scheduleHistory {
            out.key("scheduleHistory")
            out.beginArray()
            for era in eras {
                out.beginObject()
                dateMember(era.everyAnchor, "everyAnchor", &out)
                member(era.schedule, "schedule", &out)
                dateMember(era.since, "since", &out)
                member(era.timeZone, "timeZone", &out)
                dateMember(era.until, "until", &out)
                out.endObject()
            }
            out.endArray()
        }
        dateMember(metadata.scheduleSince, "scheduleSince", &out)
        dateMember(metadata.updatedAt, "updatedAt", &out)
        member(metadata.updatedBy, "updatedBy", &out)
        out.endObject()
    }

    static func write(_ status: Components.Schemas.JobStatus, to out: inout JSONOut) {
        out.beginObject()
        dateMember(status.decidedThrough, "decidedThrough", &out)
        member(status.invocations, "invocations", &out)
        dateMember(status.lastErrorAt, "lastErrorAt", &out)
        dateMember(status.lastInvokedAt, "lastInvokedAt", &out)
        dateMember(status.nextScheduledAt, "nextScheduledAt", &out)
        member(status.pendingTriggers, "pendingTriggers", &out)
        member(status.skips, "skips", &out)
        member(status.specRevision, "specRevision", &out)
        out.endObject()
    }

    /// A member, left out when `value` is nil (required members pass a value).
    private static func member(_ value: String?, _ key: String, _ out: inout JSONOut) {
        guard let value else { return }
        out.key(key)
        out.string(value)
    }

    private static func member<Value: BinaryInteger>(_ value: Value?, _ key: String, _ out: inout JSONOut) {
        guard let value else { return }
        out.key(key)
        out.integer(value)
    }

    private static func dateMember(_ value: Date?, _ key: String, _ out: inout JSONOut) {
        guard let value else { return }
        out.key(key)
        out.string(APIDates.string(value))
    }
}
