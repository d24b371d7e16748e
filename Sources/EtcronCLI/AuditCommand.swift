import ArgumentParser
import CronSchedule
import EtcronCore
import Foundation

/// `etcron audit --from T1 --to T2`: proves from the stored records that no scheduled
/// time was lost or decided twice and no run started twice, and measures start delays
/// against an objective. Exit status 0 when there is no duplicate, no gap and no double
/// start; 1 otherwise.
public struct AuditCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check every scheduled time of a window had exactly one decision and no run started twice.",
        discussion: """
            For every job (of --tenant, or the one --job names) and every time its schedule, \
            as it was then, fired in (--from, --to]: exactly one decision, every skip with a \
            reason, no run started twice, every invoke finished or still running; runs lost \
            with their executor are listed with what the retry policy did; start delays are \
            measured against --slo-start-delay. Times the leader has not decided yet (after \
            its cursor) are counted, not reported as gaps. Reads through the API (--server, \
            a token) or straight from etcd (administrators). Exits 1 on a duplicate, a gap \
            or a run started twice.
            """
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(help: "Start of the window (exclusive): RFC 3339, Unix seconds, now, or -DURATION (default -1h).")
    var from: String = "-1h"

    @Option(help: "End of the window (inclusive): RFC 3339, Unix seconds, now, or -DURATION.")
    var to: String = "now"

    @Option(help: "Only this tenant's jobs.")
    var tenant: String?

    @Option(help: "Only this job (TENANT/NAME).")
    var job: String?

    @Option(name: .customLong("slo-start-delay"), help: "The start-delay objective (20m, 90s, 500ms).")
    var sloStartDelay: String = "20m"

    @Option(name: [.customShort("o"), .customLong("output")], help: "table or json.")
    var output: Format = .table

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    public func validate() throws {
        if let job, JobID(parsing: job) == nil { throw ValidationError("--job: \"\(job)\" is not TENANT/NAME") }
        if let tenant, let reason = JobName.refusal(of: tenant) { throw ValidationError("--tenant: \(reason)") }
        guard let slo = AuditArguments.milliseconds(sloStartDelay), slo > 0 else {
            throw ValidationError("--slo-start-delay: \"\(sloStartDelay)\" is not a duration (20m, 90s, 500ms)")
        }
    }

    public func run() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        let start = try AuditArguments.instant(from, now: now, option: "--from")
        let end = try AuditArguments.instant(to, now: now, option: "--to")
        guard start < end else { throw UsageFailure(message: "--from: must be before --to (\(start) is not before \(end))") }
        let target = job.flatMap(JobID.init(parsing:))
        if let target, let tenant, tenant != target.tenant {
            throw UsageFailure(message: "--tenant: \(tenant) is not the tenant of --job \(target)")
        }
        let slo = AuditArguments.milliseconds(sloStartDelay) ?? 1_200_000
        let interactive = output == .table && isatty(2) != 0
        let started = ContinuousClock.now
        let summary = try await withJobService(connection, command: "audit") { service throws(JobStoreError) in
            var run = AuditRun(service: service, from: start, to: end, now: now, sloMs: slo)
            if interactive { run.progress = { printError("audit: \($0) jobs read") } }
            return try await run.audit(tenant: target?.tenant ?? tenant, job: target?.name)
        }
        let report = AuditReport(summary: summary, seconds: Double((ContinuousClock.now - started).components.seconds))
        switch output {
        case .table: print(report.text(), terminator: "")
        case .json: print(try report.json())
        }
        if !summary.isClean { throw ExitCode(1) }
    }
}
