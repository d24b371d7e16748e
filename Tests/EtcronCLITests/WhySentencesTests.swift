import CronSchedule
@testable import EtcronCLI
import EtcronCore
import EtcronProto
import EtcronTestKit
import Foundation
import Testing

/// `etcron why` in sentences, without etcd: every kind of decision and run outcome, in the
/// job's time zone.
@Suite("why in sentences")
struct WhySentencesTests {
    static let job = JobID(tenant: "payments", name: "settle")
    static let t9 = Int64(1_767_254_400)  // 2026-01-01T09:00:00+01:00 (08:00Z)

    static func run(_ state: Etcron_V1_RunState, _ configure: (inout Etcron_V1_Run) -> Void = { _ in }) -> Etcron_V1_Run {
        var run = Etcron_V1_Run(runID: "r", tenant: job.tenant, job: job.name, scheduledUnix: t9, manual: false, createdAtUnixMs: t9 * 1000, leaderToken: 1)
        run.state = state
        configure(&run)
        return run
    }

    static func lines(_ decisions: [Etcron_V1_Decision], runs: [String: Etcron_V1_Run] = [:], suspend: Bool = false) throws -> [String] {
        var spec = JobFixtures.spec(tenant: job.tenant, name: job.name, schedule: "0 * * * *")
        spec.timeZone = "Europe/Berlin"
        spec.suspend = suspend
        let schedule = try CronSchedule("0 * * * *", timeZone: CronTimeZone(identifier: "Europe/Berlin"))
        return WhySentences.lines(
            job: job, spec: spec, schedule: schedule, decisions: decisions, runs: runs, now: Date(timeIntervalSince1970: TimeInterval(t9 + 600)))
    }

    @Test("runs: succeeded with start delay and duration, failed after retries, still running, waiting, lost, no longer kept")
    func invokes() throws {
        let invoke = Etcron_V1_Decision.invoke(scheduledUnix: Self.t9, runID: "r", decidedAtUnixMs: Self.t9 * 1000 + 5, leaderToken: 1)
        let started: (inout Etcron_V1_Run) -> Void = { $0.startedAtUnixMs = Self.t9 * 1000 + 120; $0.finishedAtUnixMs = Self.t9 * 1000 + 3_520 }
        #expect(try Self.lines([invoke], runs: ["r": Self.run(.succeeded, started)])[1]
            == "  2026-01-01T09:00:00+01:00: ran at 2026-01-01T09:00:00.120+01:00 (start delay 120 ms) and succeeded in 3.4 s")
        #expect(try Self.lines([invoke], runs: ["r": Self.run(.failed) { started(&$0); $0.attempts = 3; $0.message = "exit status 2" }])[1]
            .hasSuffix("and failed after 3 attempts in 3.4 s: exit status 2"))
        #expect(try Self.lines([invoke], runs: ["r": Self.run(.running) { $0.startedAtUnixMs = Self.t9 * 1000 + 50 }])[1]
            .hasSuffix("(start delay 50 ms) and is still running"))
        #expect(try Self.lines([invoke], runs: ["r": Self.run(.pending)])[1].hasSuffix("was invoked and waits to start"))
        #expect(try Self.lines([invoke], runs: ["r": Self.run(.executorLost) { started(&$0); $0.message = "executor r1 lost" }])[1]
            .hasSuffix("but its executor was lost: executor r1 lost"))
        #expect(try Self.lines([invoke])[1] == "  2026-01-01T09:00:00+01:00: ran (run r; its record is no longer kept)")
    }

    @Test("skips: a missed range with its count, suspended, quota, concurrency, error; the job line says suspended or the next run")
    func skips() throws {
        let missed = Etcron_V1_Decision.skip(
            scheduledUnix: Self.t9 + 7200, reason: .missedDeadline, message: "no leader", decidedAtUnixMs: 1, leaderToken: 1,
            rangeStart: Self.t9, count: 3)
        let suspended = Etcron_V1_Decision.skip(scheduledUnix: Self.t9, reason: .suspended, message: "", decidedAtUnixMs: 1, leaderToken: 1)
        let quota = Etcron_V1_Decision.skip(scheduledUnix: Self.t9, reason: .quota, message: "tenant payments has 5 active runs", decidedAtUnixMs: 1, leaderToken: 1)
        let error = Etcron_V1_Decision.error(atUnixMs: Self.t9 * 1000, message: "schedule: bad", leaderToken: 1)
        let lines = try Self.lines([missed, suspended, quota, error])
        #expect(lines[0].hasPrefix("payments/settle: ") && lines[0].hasSuffix("; next run at 2026-01-01T10:00:00+01:00"), "\(lines[0])")
        #expect(lines[1] == "  missed 2026-01-01T09:00:00+01:00 to 2026-01-01T11:00:00+01:00 (3 times): no leader")
        #expect(lines[2] == "  skipped 2026-01-01T09:00:00+01:00 because the job was suspended")
        #expect(lines[3] == "  skipped 2026-01-01T09:00:00+01:00 because of the tenant's quota: tenant payments has 5 active runs")
        #expect(lines[4] == "  could not be scheduled (found at 2026-01-01T09:00:00+01:00): schedule: bad")
        #expect(try Self.lines([], suspend: true) == [
            "payments/settle: " + (try CronSchedule("0 * * * *", timeZone: CronTimeZone(identifier: "Europe/Berlin"))).explanation
                + "; suspended, so no run starts until it is resumed",
            "  no decision yet: the job has not been due since it was created",
        ])
    }
}
