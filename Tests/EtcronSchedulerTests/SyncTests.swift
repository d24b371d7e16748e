import CronSchedule
import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import SwiftProtobuf
import Testing

/// A job and the clock for `sync` tests: times are UTC seconds from a fixed day.
struct SyncFixture {
    static let day: Int64 = 1_767_268_800  // 2026-01-01T12:00:00Z

    var spec = Etcron_V1_JobSpec()
    var schedule: CronSchedule
    var status: Etcron_V1_JobStatus?
    var runs: [Etcron_V1_Run] = []
    var live: Set<String> = ["r1", "r2"]

    init(_ expression: String, createdAt: Int64 = SyncFixture.day, configure: (inout Etcron_V1_JobSpec) -> Void = { _ in }) throws {
        spec.tenant = "acme"
        spec.name = "payroll"
        spec.schedule = expression
        spec.createdAtUnixMs = createdAt * 1000
        configure(&spec)
        schedule = try CronSchedule(expression, seed: "acme/payroll")
    }

    func input(at now: Int64, millis: Int64 = 200, triggers: [SyncInput.Trigger] = [], tenantActive: Int = 0, quota: Int? = nil) -> SyncInput {
        SyncInput(
            spec: spec, schedule: schedule, specRevision: 7, status: status, runs: runs, triggers: triggers,
            liveMembers: live, tenantActiveRuns: tenantActive, tenantRunQuota: quota, leaderToken: 42,
            now: Date(timeIntervalSince1970: TimeInterval(now) + TimeInterval(millis) / 1000))
    }

    /// Syncs at `now` and applies the result as the leader's commit would.
    mutating func step(at now: Int64) -> SyncResult {
        let result = JobSync.sync(input(at: now))
        apply(result)
        return result
    }

    mutating func apply(_ result: SyncResult) {
        if let status = result.status { self.status = status }
        var byID = Dictionary(uniqueKeysWithValues: runs.map { ($0.runID, $0) })
        for run in result.newRuns + result.updatedRuns { byID[run.runID] = run }
        for id in result.deletedRuns { byID[id] = nil }
        runs = byID.values.sorted { $0.runID < $1.runID }
    }

    mutating func finish(_ runID: String, _ state: Etcron_V1_RunState, at: Int64) {
        guard let index = runs.firstIndex(where: { $0.runID == runID }) else { return }
        runs[index].state = state
        runs[index].finishedAtUnixMs = at * 1000
    }
}

@Suite("sync: scheduling decisions")
struct SyncTests {
    let day = SyncFixture.day

    @Test("a due time is invoked once, on time, and the next wake is the next fire")
    func onTime() throws {
        var job = try SyncFixture("* * * * *", createdAt: day + 30)
        let early = JobSync.sync(job.input(at: day + 45))
        #expect(early.isEmpty)
        #expect(early.nextWake == Date(timeIntervalSince1970: TimeInterval(day + 60)))
        let result = job.step(at: day + 60)
        #expect(result.decisions.count == 1)
        let decision = try #require(result.decisions.first)
        #expect(decision.kind == .invoke)
        #expect(decision.scheduledUnix == day + 60)
        #expect(decision.leaderToken == 42)
        #expect(decision.runID == result.newRuns.first?.runID)
        #expect(result.assignable == [decision.runID])
        #expect(result.status?.decidedThroughUnix == day + 60)
        #expect(result.nextWake == Date(timeIntervalSince1970: TimeInterval(day + 120)))
        // The same instant again decides nothing more: no decision is ever written twice.
        let again = JobSync.sync(job.input(at: day + 60, millis: 900))
        #expect(again.decisions.isEmpty)
        #expect(again.newRuns.isEmpty)
    }

    @Test("times before the job was created are never due")
    func notBeforeCreation() throws {
        let job = try SyncFixture("* * * * * *", createdAt: day + 10)
        let result = JobSync.sync(job.input(at: day + 10, millis: 999))
        #expect(result.decisions.isEmpty)
        let next = JobSync.sync(job.input(at: day + 11, millis: 0))
        #expect(next.decisions.map(\.scheduledUnix) == [day + 11])
    }

    @Test("a job created again under the same name is scheduled from its new creation, not its predecessor's status")
    func recreatedJob() throws {
        // The predecessor decided through day+5 and was deleted; the new job was created at day+60.5.
        var job = try SyncFixture("* * * * * *", createdAt: day + 60) { $0.createdAtUnixMs += 500 }
        job.status = Etcron_V1_JobStatus.with { $0.decidedThroughUnix = day + 5 }
        #expect(JobSync.sync(job.input(at: day + 60, millis: 900)).decisions.isEmpty)
        let result = job.step(at: day + 61)
        #expect(result.decisions.map(\.scheduledUnix) == [day + 61])
        #expect(result.decisions.allSatisfy { $0.kind == .invoke && $0.count == 1 })
        // An older creation than the cursor changes nothing.
        var updated = try SyncFixture("* * * * * *", createdAt: day)
        updated.status = Etcron_V1_JobStatus.with { $0.decidedThroughUnix = day + 5 }
        #expect(updated.step(at: day + 6).decisions.map(\.scheduledUnix) == [day + 6])
    }

    @Test("after an outage the missed times are one counted skip and only the latest runs")
    func outageCatchUp() throws {
        var job = try SyncFixture("* * * * *")
        job.status = Etcron_V1_JobStatus.with { $0.decidedThroughUnix = day }
        let result = job.step(at: day + 90 * 60 + 20)
        #expect(result.decisions.count == 2)
        let missed = result.decisions[0]
        #expect(missed.kind == .skip)
        #expect(missed.reason == .missedDeadline)
        #expect(missed.rangeStartUnix == day + 60)
        #expect(missed.scheduledUnix == day + 89 * 60)
        #expect(missed.count == 89)
        #expect(missed.message.contains("89 scheduled time(s)"))
        let latest = result.decisions[1]
        #expect(latest.kind == .invoke)
        #expect(latest.scheduledUnix == day + 90 * 60)
        #expect(job.status?.skips == 89)
        #expect(job.status?.invocations == 1)
    }

    @Test("the latest missed time is skipped too when it is past the starting deadline")
    func deadline() throws {
        var job = try SyncFixture("* * * * *") { $0.startingDeadlineSeconds = 10 }
        job.status = Etcron_V1_JobStatus.with { $0.decidedThroughUnix = day }
        let result = job.step(at: day + 60 + 25)
        #expect(result.decisions.map(\.kind) == [.skip])
        #expect(result.decisions[0].reason == .missedDeadline)
        #expect(result.decisions[0].message.contains("past the starting deadline of 10 s"))
        #expect(result.newRuns.isEmpty)
    }

    @Test("a month-long outage of an every-second job costs one sync and never hangs")
    func hugeOutage() throws {
        var job = try SyncFixture("* * * * * *")
        job.status = Etcron_V1_JobStatus.with { $0.decidedThroughUnix = day }
        let month: Int64 = 30 * 86_400
        let result = job.step(at: day + month)
        #expect(result.decisions.count == 2)
        #expect(result.decisions[0].count == month - 1)
        #expect(result.decisions[1].kind == .invoke)
        #expect(result.decisions[1].scheduledUnix == day + month)
        #expect(job.step(at: day + month + 1).decisions.map(\.kind) == [.invoke])
    }

    @Test("a suspended job records its due times as one suspended skip")
    func suspended() throws {
        var job = try SyncFixture("*/5 * * * *") { $0.suspend = true }
        let result = job.step(at: day + 3600)
        #expect(result.decisions.count == 1)
        #expect(result.decisions[0].reason == .suspended)
        #expect(result.decisions[0].count == 12)
        #expect(result.newRuns.isEmpty)
        job.spec.suspend = false
        #expect(job.step(at: day + 3600 + 300).decisions.map(\.kind) == [.invoke])
    }

    @Test("Forbid skips while a run is active, manual runs included")
    func forbid() throws {
        var job = try SyncFixture("* * * * *") { $0.concurrencyPolicy = .forbid }
        let first = job.step(at: day + 60)
        let runID = try #require(first.newRuns.first?.runID)
        let second = job.step(at: day + 120)
        #expect(second.decisions.first?.reason == .concurrencyPolicy)
        #expect(second.decisions.first?.message.contains(runID) == true)
        job.finish(runID, .succeeded, at: day + 130)
        #expect(job.step(at: day + 180).decisions.first?.kind == .invoke)
        // A manual run counts too.
        var manual = try SyncFixture("* * * * *") { $0.concurrencyPolicy = .forbid }
        let trigger = SyncInput.Trigger(id: "0001", request: .with { $0.note = "hotfix"; $0.requestedAtUnixMs = (day + 10) * 1000 })
        manual.apply(JobSync.sync(manual.input(at: day + 10, triggers: [trigger])))
        #expect(manual.runs.first?.manual == true)
        #expect(manual.step(at: day + 60).decisions.first?.reason == .concurrencyPolicy)
    }

    @Test("Replace asks the active run to stop and starts the new one after it stopped")
    func replace() throws {
        var job = try SyncFixture("* * * * *") { $0.concurrencyPolicy = .replace }
        let old = try #require(job.step(at: day + 60).newRuns.first?.runID)
        job.runs[0].assignedTo = "r1"  // as the leader assigns it
        let result = job.step(at: day + 120)
        let new = try #require(result.newRuns.first)
        #expect(result.decisions.first?.kind == .invoke)
        #expect(new.waitsFor == [old])
        #expect(result.updatedRuns.first { $0.runID == old }?.stopRequested == true)
        #expect(!result.assignable.contains(new.runID))
        job.finish(old, .stopped, at: day + 121)
        let after = JobSync.sync(job.input(at: day + 121))
        #expect(after.assignable == [new.runID])
    }

    @Test("Replace ends a run still waiting for an executor instead of stopping it later, so nothing queues up")
    func replaceWaitingRun() throws {
        var job = try SyncFixture("* * * * * *") { $0.concurrencyPolicy = .replace }
        let first = try #require(job.step(at: day + 1).newRuns.first?.runID)
        job.runs[0].assignedTo = "r1"
        job.runs[0].state = .running
        // The first run takes long to stop: the second waits for it, unassigned.
        let second = try #require(job.step(at: day + 2).newRuns.first)
        #expect(second.waitsFor == [first])
        // The third time replaces the waiting second run at once: it never starts.
        let third = job.step(at: day + 3)
        let ended = try #require(third.updatedRuns.first { $0.runID == second.runID })
        #expect(ended.state == .stopped)
        #expect(!ended.stopRequested)
        #expect(ended.message.contains("before it started"))
        #expect(ended.finishedAtUnixMs == (day + 3) * 1000 + 200)
        let newest = try #require(third.newRuns.first)
        #expect(newest.waitsFor == [first])
        #expect(third.assignable.isEmpty)
        job.finish(first, .stopped, at: day + 3)
        #expect(JobSync.sync(job.input(at: day + 3, millis: 500)).assignable == [newest.runID])
    }

    @Test("a run asked to stop whose executor was lost before it claimed it is not handed to another")
    func stopRequestedNotReassigned() throws {
        var job = try SyncFixture("0 0 * * *")
        var run = Etcron_V1_Run()
        run.runID = "s-1"
        run.state = .pending
        run.assignedTo = "r9"
        run.stopRequested = true
        run.message = "Replace: stop requested for run s-2"
        job.runs = [run]
        let result = job.step(at: day + 5)
        #expect(result.assignable.isEmpty)
        #expect(result.updatedRuns.map(\.state) == [.stopped])
        #expect(result.updatedRuns.first?.message == "Replace: stop requested for run s-2; stopped before it started (executor r9 was lost)")
        #expect(result.updatedRuns.first?.finishedAtUnixMs == (day + 5) * 1000 + 200)
    }

    @Test("a tenant at its run quota gets a quota skip")
    func quota() throws {
        let job = try SyncFixture("* * * * *")
        let result = JobSync.sync(job.input(at: day + 60, tenantActive: 5, quota: 5))
        #expect(result.decisions.first?.reason == .quota)
        #expect(result.decisions.first?.message.contains("quota is 5") == true)
    }

    @Test("a run whose executor died is retried while attempts remain, then ends executor-lost")
    func executorLost() throws {
        var job = try SyncFixture("0 0 * * *") { $0.retry.maxRetries = 1 }
        var run = Etcron_V1_Run()
        run.runID = "s-1"
        run.state = .running
        run.assignedTo = "r3"
        run.attempts = 1
        run.startedAtUnixMs = day * 1000
        job.runs = [run]
        job.runs[0].executorLease = 77
        let retried = job.step(at: day + 5)
        #expect(retried.updatedRuns.first?.state == .pending)
        #expect(retried.updatedRuns.first?.executorLease == 0)
        #expect(retried.updatedRuns.first?.message.contains("(lease 77)") == true, "names the lost lease, not the cleared one")
        #expect(retried.updatedRuns.first?.assignedTo == "")
        #expect(retried.assignable == ["s-1"])
        job.runs[0].state = .running
        job.runs[0].assignedTo = "r3"
        job.runs[0].attempts = 2
        let lost = job.step(at: day + 10)
        #expect(lost.updatedRuns.first?.state == .executorLost)
        #expect(lost.updatedRuns.first?.message.contains("r3") == true)
        // A pending run assigned to a dead member goes back to the pool at once.
        job.runs[0].state = .pending
        job.runs[0].assignedTo = "r9"
        job.runs[0].finishedAtUnixMs = 0
        #expect(JobSync.sync(job.input(at: day + 11)).assignable == ["s-1"])
    }

    @Test("a run claimed under an old session of a restarted executor counts as lost")
    func restartedExecutor() throws {
        var job = try SyncFixture("0 0 * * *")
        var run = Etcron_V1_Run()
        run.runID = "s-1"
        run.state = .running
        run.assignedTo = "r1"
        run.executorLease = 100
        run.attempts = 1
        job.runs = [run]
        let same = JobSync.sync(SyncInput(
            spec: job.spec, schedule: job.schedule, specRevision: 1, status: nil, runs: job.runs, liveMembers: ["r1"],
            memberLeases: ["r1": 100], leaderToken: 1, now: Date(timeIntervalSince1970: TimeInterval(day + 5))))
        #expect(same.updatedRuns.isEmpty)
        let restarted = JobSync.sync(SyncInput(
            spec: job.spec, schedule: job.schedule, specRevision: 1, status: nil, runs: job.runs, liveMembers: ["r1"],
            memberLeases: ["r1": 200], leaderToken: 1, now: Date(timeIntervalSince1970: TimeInterval(day + 5))))
        #expect(restarted.updatedRuns.first?.state == .executorLost)
        #expect(restarted.updatedRuns.first?.message.contains("lease 100") == true)
    }

    @Test("a run never started within the deadline fails, and sync wakes for that")
    func pendingPastDeadline() throws {
        var job = try SyncFixture("0 * * * *") { $0.startingDeadlineSeconds = 30 }
        job.live = []
        let first = job.step(at: day + 3600)
        let runID = try #require(first.newRuns.first?.runID)
        #expect(first.nextWake == Date(timeIntervalSince1970: TimeInterval(day + 3600 + 31)))
        let late = job.step(at: day + 3600 + 31)
        #expect(late.updatedRuns.first { $0.runID == runID }?.state == .failed)
        #expect(late.updatedRuns.first?.message.contains("missedDeadline") == true)
    }

    @Test("a manual trigger becomes exactly one manual run")
    func manualTrigger() throws {
        var job = try SyncFixture("0 0 1 1 *")
        let trigger = SyncInput.Trigger(id: "0000000000123-ab", request: .with { $0.note = "re-run after fix"; $0.requestedAtUnixMs = (day + 5) * 1000 })
        let result = JobSync.sync(job.input(at: day + 5, triggers: [trigger]))
        job.apply(result)
        #expect(result.consumedTriggers == [trigger.id])
        let run = try #require(result.newRuns.first)
        #expect(run.manual)
        #expect(run.note == "re-run after fix")
        #expect(result.assignable == [run.runID])
        // If the trigger is seen again before its deletion commits, no second run appears.
        let replay = JobSync.sync(job.input(at: day + 6, triggers: [trigger]))
        #expect(replay.newRuns.isEmpty)
        #expect(replay.consumedTriggers == [trigger.id])
    }

    @Test("finished runs beyond the history limits are deleted, oldest first")
    func history() throws {
        var job = try SyncFixture("0 0 1 1 *") { $0.history.failed = 2 }
        for index in 0..<15 {
            var run = Etcron_V1_Run()
            run.runID = String(format: "s-%02d", index)
            run.state = index % 3 == 0 ? .failed : .succeeded
            run.finishedAtUnixMs = (day + Int64(index)) * 1000
            job.runs.append(run)
        }
        let result = JobSync.sync(job.input(at: day + 100))
        // 10 succeeded: all kept; 5 failed (0,3,6,9,12): keep 12 and 9.
        #expect(result.deletedRuns == ["s-00", "s-03", "s-06"])
    }

    @Test("run IDs are stable and unique per job and time")
    func runIDs() {
        let a = RunID.scheduled(tenant: "acme", job: "payroll", scheduledUnix: day)
        #expect(a == RunID.scheduled(tenant: "acme", job: "payroll", scheduledUnix: day))
        #expect(a != RunID.scheduled(tenant: "acme", job: "payroll", scheduledUnix: day + 1))
        #expect(a != RunID.scheduled(tenant: "acme", job: "payrol", scheduledUnix: day))
        #expect(a.hasPrefix("s-00\(day)-"))
        // Stored IDs must never change across versions: FNV-1a 64 of "<tenant>/<job>@<time>".
        let hash = String(StableHash.fnv1a64("acme/payroll@\(day)"), radix: 16)
        #expect(a == "s-00\(day)-" + String(repeating: "0", count: 16 - hash.count) + hash)
        #expect(RunID.scheduled(tenant: "acme", job: "payroll", scheduledUnix: 1_767_268_800) == "s-001767268800-49da36197f6f5eb8")
    }
}

@Suite("sync: a changed schedule")
struct SyncScheduleChangeTests {
    let day = SyncFixture.day

    @Test("a schedule changed long after the last decision starts from the change: no catch-up, no missed range")
    func changedScheduleStartsAtTheChange() throws {
        // Decided through `day` under an hourly schedule; an hour later the job is changed
        // to every minute at day + 3600 + 90 (time the store records as schedule_since).
        var job = try SyncFixture("* * * * *") { $0.scheduleSinceUnixMs = (SyncFixture.day + 3690) * 1000 }
        var status = Etcron_V1_JobStatus()
        status.decidedThroughUnix = day
        job.status = status
        let result = job.step(at: day + 3720)
        #expect(result.decisions.count == 1, "\(result.decisions)")
        #expect(result.decisions.first?.kind == .invoke)
        #expect(result.decisions.first?.scheduledUnix == day + 3720)
        #expect(!result.decisions.contains { $0.reason == .missedDeadline })
    }

    @Test("without a recorded change, a gap after the cursor is an outage: one missed range, the latest invoked")
    func gapWithoutChangeIsAnOutage() throws {
        var job = try SyncFixture("* * * * *")
        var status = Etcron_V1_JobStatus()
        status.decidedThroughUnix = day
        job.status = status
        let result = job.step(at: day + 3720)
        #expect(result.decisions.count == 2)
        #expect(result.decisions.contains { $0.reason == .missedDeadline && $0.count == 61 })
    }
}

@Suite("sync: a target the tenant's policy refuses")
struct SyncTargetRefusalTests {
    @Test("due times are skipped with reason error and the refusal; a manual trigger ends as a failed run, never assigned")
    func refused() throws {
        var fixture = try SyncFixture("* * * * *")
        var input = fixture.input(at: SyncFixture.day + 60, triggers: [
            SyncInput.Trigger(id: "1767268860000-00000001", request: Etcron_V1_ManualTrigger()),
        ])
        input.targetRefusal = "not run: exec targets are not allowed"
        let result = JobSync.sync(input)
        fixture.apply(result)
        let skip = try #require(result.decisions.first)
        #expect(skip.kind == .skip && skip.reason == .error && skip.message == "not run: exec targets are not allowed")
        let manual = try #require(result.newRuns.first { $0.manual })
        #expect(manual.state == .failed && manual.message.contains("not allowed") && manual.finishedAtUnixMs > 0)
        #expect(result.newRuns.allSatisfy { $0.manual }, "no scheduled run")
        #expect(result.assignable.isEmpty)
    }
}
