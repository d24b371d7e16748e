import EtcronCore
import EtcronProto
import EtcronTestKit
import Testing

/// The audit of one job's records (`JobAudit`), pure: synthetic decisions and runs.
@Suite("job audit")
struct JobAuditTests {
    /// A job every minute, created at 0 (Unix seconds).
    static func spec(_ schedule: String = "* * * * *") -> Etcron_V1_JobSpec {
        var spec = JobFixtures.spec(tenant: "a", name: "minutely", schedule: schedule)
        spec.createdAtUnixMs = 1
        spec.scheduleSinceUnixMs = 1
        return spec
    }

    static func invoke(_ time: Int64, started: Int64? = nil, state: Etcron_V1_RunState = .succeeded) -> (Etcron_V1_Decision, Etcron_V1_Run) {
        var decision = Etcron_V1_Decision()
        decision.scheduledUnix = time
        decision.kind = .invoke
        decision.count = 1
        decision.rangeStartUnix = time
        decision.runID = RunID.scheduled(tenant: "a", job: "minutely", scheduledUnix: time)
        decision.decidedAtUnixMs = time * 1000
        var run = Etcron_V1_Run()
        run.runID = decision.runID
        run.scheduledUnix = time
        run.state = state
        run.attempts = 1
        run.startedAtUnixMs = started ?? (time * 1000 + 150)
        return (decision, run)
    }

    static func skip(_ time: Int64, reason: Etcron_V1_SkipReason = .concurrencyPolicy, from start: Int64? = nil, count: Int64 = 1) -> Etcron_V1_Decision {
        var decision = Etcron_V1_Decision()
        decision.scheduledUnix = time
        decision.kind = .skip
        decision.reason = reason
        decision.count = count
        decision.rangeStartUnix = start ?? time
        return decision
    }

    static func audit(
        _ decisions: [Etcron_V1_Decision], spec: Etcron_V1_JobSpec = spec(), runs: [Etcron_V1_Run] = [], to: Int64 = 600,
        decidedThrough: Int64 = 600
    ) -> JobAudit {
        JobAudit(spec: spec, decisions: decisions, runs: runs, from: 0, to: to, decidedThrough: decidedThrough, now: 10_000, sloMs: 1000)
    }

    @Test("one decision per minute is clean; start delays are measured")
    func clean() {
        let pairs = (1...10).map { Self.invoke(Int64($0) * 60) }
        let audit = Self.audit(pairs.map(\.0), runs: pairs.map(\.1))
        #expect(audit.timesChecked == 10 && audit.invokes == 10 && audit.findings.isEmpty)
        #expect(audit.startDelaysMs == Array(repeating: 150, count: 10))
    }

    @Test("a second decision for a time is a duplicate, a time with none a gap, a skip without reason is named")
    func duplicateAndGap() {
        var decisions = (1...10).filter { $0 != 4 }.map { Self.invoke(Int64($0) * 60).0 }
        decisions.append(Self.skip(120))
        decisions.append(Self.skip(600, reason: .unspecified))
        let audit = Self.audit(decisions)
        let kinds = audit.findings.map { "\($0.kind.rawValue)@\($0.scheduledUnix)" }
        #expect(kinds.contains("duplicate@120") && kinds.contains("gap@240"))
        #expect(kinds.contains("duplicate@600") && kinds.contains("skipWithoutReason@600"))
        #expect(audit.findings.first { $0.kind == .duplicate }?.records.count == 2)
    }

    @Test("a range skip counts for every time it covers; times after the leader's cursor are not gaps")
    func rangesAndCursor() {
        let decisions = [Self.skip(300, reason: .missedDeadline, from: 60, count: 5)] + (6...8).map { Self.invoke(Int64($0) * 60).0 }
        let audit = Self.audit(decisions, decidedThrough: 480)
        #expect(audit.findings.isEmpty, "\(audit.findings)")
        #expect(audit.skips == ["missedDeadline": 5] && audit.invokes == 3 && audit.undecided == 2 && audit.timesChecked == 8)
    }

    @Test("a schedule changed mid-window is checked era by era, not reported as gaps")
    func scheduleChange() {
        var spec = Self.spec("*/5 * * * *")
        var era = Etcron_V1_ScheduleEra()
        era.schedule = "*/2 * * * *"
        era.sinceUnixMs = 1
        era.untilUnixMs = 300_500
        spec.scheduleHistory = [era]
        spec.scheduleSinceUnixMs = 300_500
        // Every 2 minutes through 300 (120, 240), then every 5 minutes (600).
        let decisions = [120, 240, 600].map { Self.invoke(Int64($0)).0 }
        let audit = Self.audit(decisions, spec: spec)
        #expect(audit.findings.isEmpty, "\(audit.findings)")
        #expect(audit.timesChecked == 3)
        // Without the history, the old schedule's times would be unexpected and the new ones' missing.
        var forgetful = spec
        forgetful.scheduleHistory = []
        forgetful.scheduleSinceUnixMs = 1
        #expect(!Self.audit(decisions, spec: forgetful).findings.isEmpty)
    }

    @Test("two started runs of one time are a double start; lost executors are listed with what the retry policy did")
    func runs() {
        let (decision, run) = Self.invoke(60)
        var twin = run
        twin.runID = "s-twin"
        let (lostDecision, lost) = Self.invoke(120, state: .executorLost)
        let retriedDecision = Self.invoke(180).0
        var retried = Self.invoke(180).1
        retried.attempts = 2
        retried.message = "retried: its executor lost its session"
        let pendingDecision = Self.invoke(240, state: .pending).0
        var pending = Self.invoke(240, state: .pending).1
        pending.startedAtUnixMs = 0
        let (lateDecision, late) = Self.invoke(300, started: 300_000 + 5000)
        var trimmed = Self.invoke(360).0
        var outcome = Etcron_V1_RunOutcome()
        outcome.state = .failed
        outcome.startedAtUnixMs = 360_000 + 200
        trimmed.outcome = outcome
        let audit = Self.audit(
            [decision, lostDecision, retriedDecision, pendingDecision, lateDecision, trimmed], runs: [run, twin, lost, retried, pending, late],
            to: 360, decidedThrough: 360)
        let kinds = audit.findings.map { "\($0.kind.rawValue)@\($0.scheduledUnix)" }
        #expect(kinds.contains("startedTwice@60") && kinds.contains("executorLost@120") && kinds.contains("executorLost@180"))
        #expect(kinds.contains("unfinished@240") && kinds.contains("lateStart@300"))
        #expect(audit.startDelaysMs.contains(200), "the trimmed run's outcome is read from its decision")
    }

    @Test("the delay histogram's percentiles are within 1%, with the exact maximum and attainment")
    func histogram() {
        var histogram = DelayHistogram(objectiveMs: 1000)
        for value in 1...1000 { histogram.record(Int64(value)) }
        histogram.record(5000)
        let p50 = histogram.quantile(0.5) ?? 0
        #expect(p50 >= 500 && p50 <= 506)
        #expect(histogram.maximum == 5000 && histogram.count == 1001 && histogram.withinObjective == 1000)
        #expect(DelayHistogram(objectiveMs: 1).quantile(0.5) == nil)
    }
}
