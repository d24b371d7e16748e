import CronSchedule
import EtcronProto
import Foundation
import SwiftProtobuf

/// The rules a job spec must meet before it is stored or scheduled.
///
/// Validation never stops at the first problem: it returns every one, each naming the
/// field path and the reason with the offending value, e.g.
/// `schedule: day-of-week: "8" is out of range 0-7 (field 5, column 11)` or
/// `retry.maxRetries: must be from 0 to 100, not 250`. The schedule is compiled exactly as
/// the leader compiles it (``CompiledJob``): in the job's zone, `H` seeded with
/// `tenant/name`, `@every` anchored at `every_anchor_unix`.
public enum JobValidation {
    /// The most retries a run may make after its first attempt.
    public static let maximumRetries: Int32 = 100
    /// The longest backoff between attempts (one day).
    public static let maximumBackoffMs: Int64 = 86_400_000
    /// The longest starting deadline and attempt timeout (365 days).
    public static let maximumDurationSeconds: Int64 = 31_536_000
    /// The most finished runs of one result a job may keep.
    public static let maximumHistory: Int32 = 1000
    /// The longest description, in characters.
    public static let maximumDescriptionLength = 1024
    /// The largest serialized spec: specs are held in every leader's index and read whole.
    public static let maximumSpecBytes = 65_536

    /// Every problem of `spec`; empty when it is valid.
    public static func problems(in spec: Etcron_V1_JobSpec) -> [JobValidationProblem] {
        check(spec).problems
    }

    /// Every problem of a set of specs applied together, each field prefixed with the
    /// job's position (`jobs[2].name`) when there is more than one; a job given twice is a
    /// problem too.
    public static func problems(in specs: [Etcron_V1_JobSpec]) -> [JobValidationProblem] {
        guard specs.count > 1 else { return specs.first.map(problems(in:)) ?? [] }
        var problems: [JobValidationProblem] = []
        var seen: [JobID: Int] = [:]
        for (index, spec) in specs.enumerated() {
            problems += self.problems(in: spec).map { $0.within("jobs[\(index)]") }
            let id = JobID(tenant: spec.tenant, name: spec.name)
            if let first = seen[id] {
                problems.append(JobValidationProblem(field: "jobs[\(index)]", reason: "\(id) is also defined by jobs[\(first)]"))
            } else {
                seen[id] = index
            }
        }
        return problems
    }

    /// The specs of manifests read together (one file), checked as a set: every problem
    /// of every job, fields prefixed with `jobs[i]` when there is more than one.
    /// - Throws: ``JobValidationError`` listing every problem.
    public static func specs(from manifests: [JobManifest]) throws(JobValidationError) -> [Etcron_V1_JobSpec] {
        let converted = manifests.map { $0.converted() }
        let specs = converted.map(\.spec)
        var problems = problems(in: specs)
        for (index, manifestProblems) in converted.map(\.problems).enumerated() {
            problems += manifests.count > 1 ? manifestProblems.map { $0.within("jobs[\(index)]") } : manifestProblems
        }
        guard problems.isEmpty else { throw JobValidationError(problems: problems) }
        return specs
    }

    /// The problems of `spec` and, when its schedule and zone are valid, the compiled schedule.
    static func check(_ spec: Etcron_V1_JobSpec) -> (problems: [JobValidationProblem], schedule: CronSchedule?) {
        var problems: [JobValidationProblem] = []
        func refuse(_ field: String, _ reason: String) {
            problems.append(JobValidationProblem(field: field, reason: reason))
        }
        if let reason = JobName.refusal(of: spec.tenant) { refuse("tenant", reason) }
        if let reason = JobName.refusal(of: spec.name) { refuse("name", reason) }
        let (schedule, scheduleProblems) = compileSchedule(spec)
        problems += scheduleProblems
        if case .UNRECOGNIZED(let value) = spec.concurrencyPolicy {
            refuse("concurrencyPolicy", "\(value) is not a known policy (Allow, Forbid or Replace)")
        }
        checkRange("startingDeadlineSeconds", spec.startingDeadlineSeconds, 0...maximumDurationSeconds, "0 means no deadline", &problems)
        problems += targetProblems(spec)
        if spec.hasRetry {
            let retry = spec.retry
            checkRange("retry.maxRetries", retry.maxRetries, 0...maximumRetries, nil, &problems)
            checkRange("retry.initialBackoffMs", retry.initialBackoffMs, 0...maximumBackoffMs, "0 means the default", &problems)
            checkRange("retry.maxBackoffMs", retry.maxBackoffMs, 0...maximumBackoffMs, "0 means the default", &problems)
            if retry.initialBackoffMs > 0, retry.maxBackoffMs > 0, retry.maxBackoffMs < retry.initialBackoffMs {
                refuse("retry.maxBackoffMs", "\(retry.maxBackoffMs) is less than initialBackoffMs (\(retry.initialBackoffMs))")
            }
        }
        checkRange("attemptTimeoutSeconds", spec.attemptTimeoutSeconds, 0...maximumDurationSeconds, "0 means no timeout", &problems)
        if spec.hasHistory {
            checkRange("history.succeeded", spec.history.succeeded, 0...maximumHistory, "0 means the default", &problems)
            checkRange("history.failed", spec.history.failed, 0...maximumHistory, "0 means the default", &problems)
        }
        problems += labelProblems(spec.labels)
        if spec.description_p.count > maximumDescriptionLength {
            refuse("description", "is \(spec.description_p.count) characters long; at most \(maximumDescriptionLength) are allowed")
        }
        if spec.owner.count > JobName.maximumLength {
            refuse("owner", "is \(spec.owner.count) characters long; at most \(JobName.maximumLength) are allowed")
        }
        if spec.everyAnchorUnix < 0 { refuse("everyAnchorUnix", "must not be negative, not \(spec.everyAnchorUnix)") }
        if spec.createdAtUnixMs < 0 { refuse("createdAtUnixMs", "must not be negative, not \(spec.createdAtUnixMs)") }
        let size = (try? spec.serializedBytes() as [UInt8])?.count ?? 0
        if size > maximumSpecBytes {
            refuse("", "the job is \(size) bytes when stored; at most \(maximumSpecBytes) are allowed")
        }
        return (problems, problems.isEmpty ? schedule : nil)
    }

    /// Compiles the schedule as the leader does. An unknown zone is a `timeZone` problem;
    /// the expression is then still checked, in UTC, so both are reported.
    private static func compileSchedule(_ spec: Etcron_V1_JobSpec) -> (CronSchedule?, [JobValidationProblem]) {
        var problems: [JobValidationProblem] = []
        var zone = CronTimeZone.utc
        do {
            zone = try CronTimeZone(identifier: spec.timeZone)
        } catch {
            problems.append(JobValidationProblem(field: "timeZone", reason: error.description))
        }
        guard !spec.schedule.trimmingCharacters(in: .whitespaces).isEmpty else {
            problems.append(JobValidationProblem(field: "schedule", reason: "is required"))
            return (nil, problems)
        }
        do {
            let schedule = try CronSchedule(
                spec.schedule, timeZone: zone, seed: JobID(tenant: spec.tenant, name: spec.name).description,
                anchor: CronInstant(secondsSinceEpoch: spec.everyAnchorUnix))
            return (problems.isEmpty ? schedule : nil, problems)
        } catch {
            problems.append(JobValidationProblem(field: "schedule", reason: error.description))
            return (nil, problems)
        }
    }

    /// `field: must be from 0 to 100, not 250 (0 means ...)`.
    static func checkRange<Value: BinaryInteger>(
        _ field: String, _ value: Value, _ range: ClosedRange<Value>, _ note: String?, _ problems: inout [JobValidationProblem]
    ) {
        guard !range.contains(value) else { return }
        let suffix = note.map { "; \($0)" } ?? ""
        problems.append(JobValidationProblem(
            field: field, reason: "must be from \(range.lowerBound) to \(range.upperBound), not \(value)\(suffix)"))
    }
}
