import ArgumentParser
import CronSchedule
import EtcronCore
import EtcronProto
import Foundation

/// `etcron describe TENANT/NAME`: the spec, what the leader knows, and the latest
/// decisions and runs — did my cron run, why not, how long did it take.
public struct DescribeCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a job: its spec, status, next time, and its last 10 decisions and runs."
    )

    @OptionGroup var connection: ConnectionFlags

    @Argument(help: ArgumentHelp("The job.", valueName: "tenant/name"))
    var job: String

    @OptionGroup var output: OutputOption

    public func validate() throws {
        _ = try jobID(job)
    }

    public func run() async throws {
        let id = try jobID(job)
        let description = try await withJobService(connection, command: "describe") { store throws(JobStoreError) in
            try await store.describe(tenant: id.tenant, name: id.name, limit: 10)
        }
        for record in description.corrupt {
            printError("warning: skipped a corrupt record: \(record)")
        }
        let spec = description.job.spec
        let compiled = Result { () throws(JobValidationError) in try CompiledJob(spec: spec) }
        let next = try? compiled.get().schedule.next(after: CronInstant(Date()))?.date
        let view = DescribeView(
            job: JobManifest(spec), createdAt: Date(unixMilliseconds: spec.createdAtUnixMs),
            specRevision: description.job.modRevision, nextScheduled: spec.suspend ? nil : next,
            status: description.status.map(StatusView.init), pendingTriggers: description.pendingTriggers,
            decisions: description.decisions.map { DecisionView($0.value) }, runs: description.runs.map { RunView($0.value) },
            corrupt: description.corrupt.isEmpty ? nil : description.corrupt)
        if let encoded = try encodeJobOutput(view, as: output.format) {
            print(encoded)
            return
        }
        var lines = [
            "Job:               \(id)",
            "Schedule:          \(scheduleLine(spec, compiled))",
            "Next scheduled:    \(spec.suspend ? "- (suspended)" : next?.rfc3339 ?? "-")",
            "Concurrency:       \((JobManifest(spec).concurrencyPolicy ?? .allow).rawValue)",
            "Starting deadline: \(spec.startingDeadlineSeconds > 0 ? "\(spec.startingDeadlineSeconds)s" : "none")",
            "Suspended:         \(suspendLine(spec))",
            "Target:            \(targetSummary(spec.target))",
            "Retry:             \(retryLine(spec))",
            "Attempt timeout:   \(spec.attemptTimeoutSeconds > 0 ? "\(spec.attemptTimeoutSeconds)s" : "none")",
        ]
        if !spec.owner.isEmpty { lines.append("Owner:             \(spec.owner)") }
        if !spec.description_p.isEmpty { lines.append("Description:       \(spec.description_p)") }
        if !spec.labels.isEmpty {
            lines.append("Labels:            " + spec.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        }
        lines.append("Created:           \(view.createdAt?.rfc3339 ?? "-")\(by(spec.createdBy))")
        let updated = Date(unixMilliseconds: spec.updatedAtUnixMs)
        lines.append("Updated:           \(updated?.rfc3339 ?? view.createdAt?.rfc3339 ?? "-")\(by(spec.updatedBy)) (spec revision \(view.specRevision))")
        lines.append("Status:            \(view.status.map(statusLine) ?? "no decision yet")")
        lines.append("Pending triggers:  \(view.pendingTriggers)")
        lines.append("")
        lines.append("Decisions (latest \(view.decisions.count), newest first):")
        lines.append(view.decisions.isEmpty ? "  none" : decisionTable(view.decisions))
        lines.append("")
        lines.append("Runs (latest \(view.runs.count), newest first):")
        lines.append(view.runs.isEmpty ? "  none" : runTable(view.runs))
        print(lines.joined(separator: "\n"))
    }

    private func scheduleLine(_ spec: Etcron_V1_JobSpec, _ compiled: Result<CompiledJob, JobValidationError>) -> String {
        let zone = spec.timeZone.isEmpty ? "UTC" : spec.timeZone
        switch compiled {
        case .success(let job) where job.schedule.expression != spec.schedule:
            return "\(spec.schedule) (fires as \(job.schedule.expression)) in \(zone)"
        case .success:
            return "\(spec.schedule) in \(zone)"
        case .failure(let error):
            return "\(spec.schedule) in \(zone) — INVALID: \(error.problems.map(\.description).joined(separator: "; "))"
        }
    }

    /// ` by NAME` for a write made with an API token; ` (straight in etcd)` otherwise.
    private func by(_ author: String) -> String {
        author.isEmpty ? " (straight in etcd)" : " by \(author)"
    }

    /// `true since T by NAME: note`, or `false` with the last resume.
    private func suspendLine(_ spec: Etcron_V1_JobSpec) -> String {
        guard spec.hasLastSuspendChange else { return String(spec.suspend) }
        let change = spec.lastSuspendChange
        let at = Date(unixMilliseconds: change.atUnixMs)?.rfc3339 ?? "-"
        let note = change.note.isEmpty ? "" : ": \(change.note)"
        return "\(spec.suspend) (\(change.suspended ? "suspended" : "resumed") \(at)\(by(change.by))\(note))"
    }

    private func retryLine(_ spec: Etcron_V1_JobSpec) -> String {
        guard spec.hasRetry, spec.retry.maxRetries > 0 else { return "none" }
        var text = "up to \(spec.retry.maxRetries) retries"
        if spec.retry.initialBackoffMs > 0 { text += ", backoff from \(spec.retry.initialBackoffMs)ms" }
        if spec.retry.maxBackoffMs > 0 { text += " up to \(spec.retry.maxBackoffMs)ms" }
        return text
    }

    private func statusLine(_ status: StatusView) -> String {
        var parts = ["decided through \(status.decidedThrough?.rfc3339 ?? "-")"]
        parts.append("\(status.invocations) invocations, \(status.skips) skips")
        if let last = status.lastInvoked { parts.append("last invoked \(last.rfc3339)") }
        if let error = status.lastError { parts.append("last error decision \(error.rfc3339) (see etcron why)") }
        return parts.joined(separator: "; ")
    }
}
