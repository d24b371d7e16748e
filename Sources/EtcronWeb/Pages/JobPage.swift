import CronSchedule
import EtcronAPI
import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation

/// One job (`/jobs/TENANT/NAME`): its spec and status, its recent runs (a table and two
/// charts: start delay and duration), its recent skips with their reasons, and the run,
/// suspend and resume forms for tokens that may write its tenant's jobs. Everything is
/// read in one Txn (`describe`), at one revision.
enum JobPage {
    /// How many recent decisions and runs the page shows.
    static let history = 30

    struct RunRow {
        var scheduled: String
        var runID: String
        var manual: Bool
        var note: String?
        var state: String
        var startDelay: String
        var duration: String
        var attempts: Int32
        var result: String
        var by: String
    }

    struct SkipRow {
        var scheduled: String
        var count: Int64
        var reason: String
        var message: String
        var decided: String
    }

    struct Model {
        var tenant: String
        var name: String
        var base: String
        var description: String?
        var suspended: Bool
        var schedule: String
        var expression: String
        var timeZone: String
        var nextRun: String
        var concurrency: String
        var deadline: String
        var target: String
        var retry: String?
        var owner: String?
        var labels: String?
        var invocations: Int64
        var skips: Int64
        var decidedThrough: String?
        var pendingTriggers: Int?
        var created: String?
        var updated: String?
        var suspendChangeTitle: String
        var suspendChange: String?
        var canWrite: Bool
        var formToken: String
        var charts: [RunChart]
        var hasRuns: Bool
        var runs: [RunRow]
        var hasSkips: Bool
        var skipList: [SkipRow]
        var manifest: String
    }

    static func model(_ description: JobDescription, canWrite: Bool, formToken: String, now: Date) -> Model {
        let job = description.job
        let spec = job.spec
        let compiled = try? CompiledJob(spec: spec)
        let zone = compiled?.schedule.timeZone ?? .utc
        let view = Components.Schemas.Job(job, description: description, now: now)
        let status = view.status
        let runs = description.runs.map { Components.Schemas.Run($0.value) }
        let skips = description.decisions.map(\.value).filter { $0.kind == .skip }.map { Components.Schemas.Decision($0, run: nil) }
        let change = view.metadata.lastSuspendChange
        return Model(
            tenant: job.id.tenant, name: job.id.name, base: WebPaths.job(job.id),
            description: spec.description_p.isEmpty ? nil : spec.description_p,
            suspended: spec.suspend,
            schedule: compiled?.schedule.explanation ?? "cannot be scheduled: the stored schedule does not compile",
            expression: spec.schedule, timeZone: spec.timeZone.isEmpty ? "UTC" : spec.timeZone,
            nextRun: spec.suspend ? "none while suspended" : WebFormat.time(status?.nextScheduledAt, zone: zone) ?? "none: the schedule fires no more",
            concurrency: view.concurrencyPolicy?.rawValue ?? "Allow",
            deadline: view.startingDeadlineSeconds.map { "\($0) s" } ?? "none",
            target: target(spec.target),
            retry: view.retry.map { "up to \($0.maxRetries ?? 0) retries" },
            owner: view.owner,
            labels: view.labels.map { $0.additionalProperties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") },
            invocations: status?.invocations ?? 0, skips: status?.skips ?? 0,
            decidedThrough: WebFormat.time(status?.decidedThrough, zone: zone),
            pendingTriggers: description.pendingTriggers > 0 ? description.pendingTriggers : nil,
            created: authored(view.metadata.createdAt, view.metadata.createdBy, zone),
            updated: authored(view.metadata.updatedAt, view.metadata.updatedBy, zone),
            suspendChangeTitle: change?.action == .suspend ? "Suspended" : "Resumed",
            suspendChange: change.map { change in
                [WebFormat.time(change.at, zone: zone), change.by.map { "by \($0)" }, change.note.map { "“\($0)”" }]
                    .compactMap { $0 }.joined(separator: " ")
            },
            canWrite: canWrite, formToken: formToken,
            charts: charts(runs),
            hasRuns: !runs.isEmpty, runs: runs.map { row($0, zone: zone) },
            hasSkips: !skips.isEmpty, skipList: skips.map { skip($0, zone: zone) },
            manifest: manifest(view))
    }

    private static func row(_ run: Components.Schemas.Run, zone: CronTimeZone) -> RunRow {
        var result = run.message ?? ""
        if let code = run.exitCode {
            if result == "exit status \(code)" { result = "" }
            result = "exit \(code)" + (result.isEmpty ? "" : ": " + result)
        }
        if let http = run.httpStatus { result = "HTTP \(http)" + (result.isEmpty ? "" : ": " + result) }
        return RunRow(
            scheduled: WebFormat.time(run.scheduledAt ?? run.requestedAt ?? run.createdAt, zone: zone) ?? "-",
            runID: run.runID, manual: run.manual, note: run.note, state: run.state.rawValue,
            startDelay: WebFormat.duration(seconds: run.startDelaySeconds) ?? "-",
            duration: WebFormat.duration(seconds: run.durationSeconds) ?? (run.startedAt != nil ? "running" : "-"),
            attempts: run.attempts, result: result.isEmpty ? "-" : result,
            by: run.triggeredBy ?? (run.manual ? "-" : "schedule"))
    }

    private static func skip(_ decision: Components.Schemas.Decision, zone: CronTimeZone) -> SkipRow {
        let time = WebFormat.time(decision.scheduledAt, zone: zone) ?? "-"
        let range = decision.rangeStart.flatMap { WebFormat.time($0, zone: zone) }.map { "\($0) to \(time)" } ?? time
        return SkipRow(
            scheduled: range, count: decision.count, reason: decision.reason?.rawValue ?? "unknown", message: decision.message ?? "",
            decided: WebFormat.time(decision.decidedAt, zone: zone) ?? "-")
    }

    /// The two charts, oldest run left.
    private static func charts(_ runs: [Components.Schemas.Run]) -> [RunChart] {
        let oldestFirst = runs.reversed()
        func points(_ value: (Components.Schemas.Run) -> Double?) -> [RunChart.Point] {
            oldestFirst.map { run in
                let text = value(run).flatMap(WebFormat.duration(seconds:)) ?? "no value yet"
                return RunChart.Point(value: value(run), kind: run.state.rawValue, label: "\(run.runID) (\(run.state.rawValue)): \(text)")
            }
        }
        let format = { (seconds: Double) in WebFormat.duration(seconds: seconds) ?? "0 ms" }
        return [
            RunChart(title: "Start delay", emptyText: "no run has started yet", points: points(\.startDelaySeconds), format: format),
            RunChart(title: "Duration", emptyText: "no run has finished yet", points: points(\.durationSeconds), format: format),
        ]
    }

    private static func target(_ target: Etcron_V1_Target) -> String {
        switch target.kind {
        case .exec(let exec): return ([exec.command] + exec.args).joined(separator: " ")
        case .http(let http): return "\(http.method.isEmpty ? "GET" : http.method) \(http.url)"
        case nil: return "none"
        }
    }

    private static func authored(_ at: Date?, _ by: String?, _ zone: CronTimeZone) -> String? {
        guard at != nil || by != nil else { return nil }
        return [WebFormat.time(at, zone: zone), by.map { "by \($0)" }].compactMap { $0 }.joined(separator: " ")
    }

    private static func manifest(_ job: Components.Schemas.Job) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(job)).map { String(decoding: $0, as: UTF8.self) } ?? "(could not be encoded)"
    }
}
