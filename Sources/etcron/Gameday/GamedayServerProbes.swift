import EtcronCLI
import EtcronProto
import Foundation

/// The probe jobs `etcron gameday --server` writes into its tenant of a live install:
/// `probe-N` every second and `long-run` (manual only) for the executor crash, all http
/// targets at `--probe-url`. The install may not reach anything that could count
/// executions independently, so executions are counted from etcron's own run records.
struct GamedayServerProbes {
    let client: GamedayClient
    let tenant: String
    let count: Int

    var names: [String] { (1...count).map { "probe-\($0)" } }
    static let longRun = "long-run"

    /// The specs, written (created or updated) with the admin token.
    func apply(url: String) async throws {
        var specs: [Etcron_V1_JobSpec] = names.map { name in
            var spec = Etcron_V1_JobSpec()
            spec.tenant = tenant
            spec.name = name
            spec.schedule = "* * * * * *"
            spec.description_p = "gameday probe (etcron gameday --server): executions are counted from its run records"
            spec.target.http.method = "GET"
            spec.target.http.url = url
            spec.attemptTimeoutSeconds = 2
            return spec
        }
        var long = Etcron_V1_JobSpec()
        long.tenant = tenant
        long.name = Self.longRun
        long.schedule = "0 0 1 1 *"
        long.description_p = "gameday: a long manual run whose executor is crashed"
        long.retry.maxRetries = 1
        long.target.http.method = "GET"
        long.target.http.url = url
        long.attemptTimeoutSeconds = 60
        specs.append(long)
        try await client.apply(specs)
    }

    /// Runs that started, for times in `(from, to]`: from the runs still kept and, for runs
    /// trimmed by the history limits, from the outcome their invoke carries in the log.
    func executions(from: Int64, to: Int64) async throws -> [GamedayProbes.Execution] {
        var executions: [String: GamedayProbes.Execution] = [:]
        for name in names {
            for decision in try await client.decisions(tenant: tenant, job: name, limit: 1000)
            where decision.scheduledUnix > from && decision.scheduledUnix <= to && decision.outcome.startedAtUnixMs > 0 {
                executions[decision.runID] = .init(
                    job: name, runID: decision.runID, scheduledUnix: decision.scheduledUnix, startedMs: decision.outcome.startedAtUnixMs)
            }
            for run in try await client.runs(tenant: tenant, job: name, limit: 1000)
            where run.scheduledUnix > from && run.scheduledUnix <= to && run.startedAtUnixMs > 0 {
                executions[run.runID] = .init(job: name, runID: run.runID, scheduledUnix: run.scheduledUnix, startedMs: run.startedAtUnixMs)
            }
        }
        return Array(executions.values)
    }
}
