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
            out.key("continue")
            out.string(next)
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
                out.key("key")
                out.string(record.key)
                out.key("reason")
                out.string(record.reason)
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
        optional(job.attemptTimeoutSeconds, "attemptTimeoutSeconds", &out)
        optional(job.concurrencyPolicy?.rawValue, "concurrencyPolicy", &out)
        optional(job.description, "description", &out)
        if let value = job.history {
            out.key("history")
            out.beginObject()
            optional(value.failed, "failed", &out)
            optional(value.succeeded, "succeeded", &out)
            out.endObject()
        }
        if let value = job.labels {
            out.key("labels")
            out.dictionary(value.additionalProperties)
        }
        out.key("metadata")
        write(job.metadata, to: &out)
        out.key("name")
        out.string(job.name)
        optional(job.owner, "owner", &out)
        out.key("resourceVersion")
        out.string(job.resourceVersion)
        if let value = job.retry {
            out.key("retry")
            out.beginObject()
            optional(value.initialBackoffMs, "initialBackoffMs", &out)
            optional(value.maxBackoffMs, "maxBackoffMs", &out)
            optional(value.maxRetries, "maxRetries", &out)
            out.endObject()
        }
        out.key("schedule")
        out.string(job.schedule)
        optional(job.startingDeadlineSeconds, "startingDeadlineSeconds", &out)
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
        out.key("tenant")
        out.string(job.tenant)
        optional(job.timeZone, "timeZone", &out)
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
            optional(exec.command, "command", &out)
            if let env = exec.env {
                out.key("env")
                out.dictionary(env.additionalProperties)
            }
            optional(exec.workingDirectory, "workingDirectory", &out)
            out.endObject()
        }
        if let http = target.http {
            out.key("http")
            out.beginObject()
            optional(http.body, "body", &out)
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
            optional(http.method, "method", &out)
            optional(http.url, "url", &out)
            out.endObject()
        }
        out.endObject()
    }

    static func write(_ metadata: Components.Schemas.JobMetadata, to out: inout JSONOut) {
        out.beginObject()
        out.key("createRevision")
        out.string(metadata.createRevision)
        date(metadata.createdAt, "createdAt", &out)
        optional(metadata.createdBy, "createdBy", &out)
        optionalDate(metadata.everyAnchor, "everyAnchor", &out)
        if let change = metadata.lastSuspendChange {
            out.key("lastSuspendChange")
            out.beginObject()
            out.key("action")
            out.string(change.action.rawValue)
            date(change.at, "at", &out)
            optional(change.by, "by", &out)
            optional(change.note, "note", &out)
            out.endObject()
        }
        if let eras = metadata.scheduleHistory {
            out.key("scheduleHistory")
            out.beginArray()
            for era in eras {
                out.beginObject()
                optionalDate(era.everyAnchor, "everyAnchor", &out)
                out.key("schedule")
                out.string(era.schedule)
                date(era.since, "since", &out)
                optional(era.timeZone, "timeZone", &out)
                date(era.until, "until", &out)
                out.endObject()
            }
            out.endArray()
        }
        optionalDate(metadata.scheduleSince, "scheduleSince", &out)
        date(metadata.updatedAt, "updatedAt", &out)
        optional(metadata.updatedBy, "updatedBy", &out)
        out.endObject()
    }

    static func write(_ status: Components.Schemas.JobStatus, to out: inout JSONOut) {
        out.beginObject()
        optionalDate(status.decidedThrough, "decidedThrough", &out)
        out.key("invocations")
        out.integer(status.invocations)
        optionalDate(status.lastErrorAt, "lastErrorAt", &out)
        optionalDate(status.lastInvokedAt, "lastInvokedAt", &out)
        optionalDate(status.nextScheduledAt, "nextScheduledAt", &out)
        out.key("pendingTriggers")
        out.integer(status.pendingTriggers)
        out.key("skips")
        out.integer(status.skips)
        optional(status.specRevision, "specRevision", &out)
        out.endObject()
    }

    private static func optional(_ value: String?, _ key: String, _ out: inout JSONOut) {
        guard let value else { return }
        out.key(key)
        out.string(value)
    }

    private static func optional<Value: BinaryInteger>(_ value: Value?, _ key: String, _ out: inout JSONOut) {
        guard let value else { return }
        out.key(key)
        out.integer(value)
    }

    private static func date(_ value: Date, _ key: String, _ out: inout JSONOut) {
        out.key(key)
        out.string(APIDates.string(value))
    }

    private static func optionalDate(_ value: Date?, _ key: String, _ out: inout JSONOut) {
        guard let value else { return }
        date(value, key, &out)
    }
}
