import CronSchedule
import EtcronAPI
import EtcronAPIModel
import EtcronCore
import EtcronProto
import Foundation

/// The jobs list (`/`): one page of the jobs the token sees, 50 at a time, filtered by
/// tenant and label selector, each with its schedule in words, next run, and newest run's
/// result and start delay. A page costs the listing's reads and one Txn for the statuses
/// and newest runs of its jobs, however many jobs are stored.
enum JobsPage {
    /// The page's query.
    struct Query: Decodable {
        var tenant: String?
        var labelSelector: String?
        var `continue`: String?
    }

    struct Row {
        var tenant: String
        var name: String
        var href: String
        var suspended: Bool
        var schedule: String
        var expression: String
        var nextRun: String
        var lastResult: String?
        var lastWhen: String?
        var lastDelay: String
    }

    struct Model {
        var tenant: String
        var selector: String
        var scope: String?
        var tenantChoices: [String]
        var filtered: Bool
        var skipped: String?
        var hasRows: Bool
        var rows: [Row]
        var firstPage: String?
        var nextPage: String?
    }

    static let pageSize = 50

    static func model(_ operations: APIOperations, token: APIToken, query: Query, now: Date) async throws -> Model {
        let tenant = query.tenant.flatMap { $0.isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        let selector = query.labelSelector.flatMap { $0.isEmpty ? nil : $0 }
        let (page, next) = try await operations.jobPage(
            as: token, tenant: tenant, labelSelector: selector, limit: pageSize, continue: query.continue.flatMap { $0.isEmpty ? nil : $0 })
        let overviews = try await operations.store.overviews(of: page.jobs.map(\.id))
        let rows = page.jobs.map { row($0, overviews[$0.id] ?? JobOverview(status: nil, latestRun: nil), now: now) }
        let filters = [("tenant", tenant), ("labelSelector", selector)].compactMap { name, value in value.map { (name, $0) } }
        return Model(
            tenant: tenant ?? "", selector: selector ?? "",
            scope: token.tenants.map { $0.sorted().joined(separator: ", ") },
            tenantChoices: token.tenants.map { $0.sorted() } ?? [],
            filtered: !filters.isEmpty,
            skipped: page.corrupt.isEmpty
                ? nil : "\(page.corrupt.count) job record(s) in this page's range could not be read and are left out: "
                    + page.corrupt.map { "\($0.key) (\($0.reason))" }.joined(separator: "; "),
            hasRows: !rows.isEmpty, rows: rows,
            firstPage: query.continue == nil ? nil : WebPaths.query("/", filters),
            nextPage: next.map { WebPaths.query("/", filters + [("continue", $0)]) })
    }

    static func row(_ job: StoredJob, _ overview: JobOverview, now: Date) -> Row {
        let spec = job.spec
        let compiled = try? CompiledJob(spec: spec)
        let zone = compiled?.schedule.timeZone ?? .utc
        let description = JobDescription(
            job: job, status: overview.status, pendingTriggers: 0, decisions: [], runs: [], corrupt: [], revision: job.modRevision)
        let next = Components.Schemas.JobStatus(description, now: now).nextScheduledAt
        let run = overview.latestRun.map { Components.Schemas.Run($0) }
        return Row(
            tenant: job.id.tenant, name: job.id.name, href: WebPaths.job(job.id), suspended: spec.suspend,
            schedule: compiled?.schedule.explanation ?? "cannot be scheduled: the stored schedule does not compile",
            expression: spec.schedule,
            nextRun: spec.suspend ? "suspended" : WebFormat.time(next, zone: zone) ?? "none",
            lastResult: run?.state.rawValue,
            lastWhen: run.flatMap { WebFormat.age($0.finishedAt ?? $0.startedAt ?? $0.scheduledAt ?? $0.requestedAt, now: now) },
            lastDelay: WebFormat.duration(seconds: run?.startDelaySeconds) ?? "-")
    }
}
