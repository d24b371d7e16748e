import EtcdClient
import EtcronCore
import EtcronProto
@testable import EtcronScheduler
import EtcronTestKit
import Foundation
import SwiftProtobuf
import Synchronization
import Testing

/// The leader's writes and its whole loop against an in-memory etcd with a manual clock:
/// deterministic, no process, milliseconds a test.
@Suite("Leader without etcd")
struct LeaderInMemoryTests {
    static let job = JobID(tenant: "acme", name: "payroll")

    static func skipItem(_ term: InMemoryTerm, job: JobID, at time: Int64) throws -> CommitItem {
        var result = SyncResult()
        result.decisions = [.skip(scheduledUnix: time, reason: .concurrencyPolicy, message: "Forbid", decidedAtUnixMs: time * 1000, leaderToken: 1)]
        result.status = Etcron_V1_JobStatus()
        return try CommitItem(job: job, keys: term.keys, result: result, assigned: [], runRevisions: [:], errorDecision: nil)
    }

    @Test("a skip is written only where its time has no decision and no run; a new run only if absent")
    func commitCompares() async throws {
        let term = try await InMemoryTerm()
        let batcher = DecisionBatcher(leadership: term.leadership)
        #expect(try await batcher.submit(Self.skipItem(term, job: Self.job, at: 60)).isCommitted)
        #expect(try await batcher.submit(Self.skipItem(term, job: Self.job, at: 60)).isConflict, "a second decision of the same time")
        // A time whose run exists gets no skip.
        let runID = RunID.scheduled(tenant: Self.job.tenant, job: Self.job.name, scheduledUnix: 120)
        try await term.etcd.put(term.keys.run(Self.job.tenant, Self.job.name, runID: runID), value: Data())
        #expect(try await batcher.submit(Self.skipItem(term, job: Self.job, at: 120)).isConflict)
        // A new run is created only if absent.
        var invoke = SyncResult()
        invoke.newRuns = [Etcron_V1_Run(runID: runID, tenant: Self.job.tenant, job: Self.job.name, scheduledUnix: 120, manual: false, createdAtUnixMs: 1, leaderToken: 1)]
        let item = try CommitItem(job: Self.job, keys: term.keys, result: invoke, assigned: [], runRevisions: [:], errorDecision: nil)
        #expect(try await batcher.submit(item).isConflict)
        #expect(try await term.loggedDecisions(Self.job).map(\.scheduledUnix) == [60])
    }

    @Test("a run's pointer is written when it is assigned, and touched when the leader asks its executor to stop it")
    func pointers() throws {
        let keys = JobKeys(prefix: "/etcron/")
        var running = Etcron_V1_Run(runID: "s-1", tenant: Self.job.tenant, job: Self.job.name, scheduledUnix: 60, manual: false, createdAtUnixMs: 1, leaderToken: 1)
        running.state = .running
        running.assignedTo = "r2"
        var stopping = running
        try stopping.apply(.requestStop(message: "Replace: stop requested for run s-2"))
        var fresh = Etcron_V1_Run(runID: "s-2", tenant: Self.job.tenant, job: Self.job.name, scheduledUnix: 120, manual: false, createdAtUnixMs: 2, leaderToken: 1)
        try fresh.apply(.assign(executor: "r1"))
        var result = SyncResult()
        result.newRuns = [fresh]
        result.updatedRuns = [stopping]
        let item = try CommitItem(job: Self.job, keys: keys, result: result, assigned: [fresh], runRevisions: ["s-1": 7], errorDecision: nil)
        let pointers = item.operations.compactMap { operation -> String? in
            guard case .put(let key, let value, _, _) = operation, key.hasPrefix(keys.assignmentsRoot) else { return nil }
            return key + " -> " + String(decoding: value, as: UTF8.self)
        }
        #expect(pointers == [
            keys.assignments("r1") + "s-2 -> " + keys.run(Self.job.tenant, Self.job.name, runID: "s-2"),
            keys.assignments("r2") + "s-1 -> " + keys.run(Self.job.tenant, Self.job.name, runID: "s-1"),
        ])
        // A run merely updated (no stop asked) is not touched.
        result.updatedRuns = [running]
        let quiet = try CommitItem(job: Self.job, keys: keys, result: result, assigned: [], runRevisions: ["s-1": 7], errorDecision: nil)
        #expect(!quiet.operations.contains { if case .put(let key, _, _, _) = $0 { key.hasPrefix(keys.assignmentsRoot) } else { false } })
    }

    @Test("new runs go to the executor with the fewest active runs, ties taken in turn")
    func spread() {
        var executors = LeaderScheduler.Executors(leases: ["a": 1, "b": 2, "c": 3], sorted: ["a", "b", "c"], active: [5, 0, 1])
        #expect((0..<6).map { executors.next(from: $0) } == ["b", "b", "c", "b", "c", "c"])
        #expect(executors.active == [5, 3, 4])
        var even = LeaderScheduler.Executors(leases: ["a": 1, "b": 2], sorted: ["a", "b"], active: [0, 0])
        #expect((0..<4).map { even.next(from: $0) } == ["a", "b", "a", "b"])
    }

    @Test("a batch whose compares fail is split: the stale job conflicts alone and every other job commits")
    func splitAndRetry() async throws {
        let term = try await InMemoryTerm()
        let jobs = (0..<5).map { JobID(tenant: "acme", name: "job-\($0)") }
        // job-2 already has a decision at 60: its create-only compare fails.
        try await term.etcd.put(term.keys.decision(jobs[2].tenant, jobs[2].name, scheduledUnix: 60), value: Data())
        let batcher = DecisionBatcher(leadership: term.leadership, maxInFlight: 1)
        let before = term.etcd.txnCount
        let outcomes = await batcher.submit(try jobs.map { try Self.skipItem(term, job: $0, at: 60) })
        #expect(outcomes.map { (try? $0.get())?.isCommitted == true } == [true, true, false, true, true])
        #expect(outcomes.map { (try? $0.get())?.isConflict == true } == [false, false, true, false, false])
        #expect(term.etcd.txnCount - before == 1 + jobs.count, "one failed batch, then one Txn per job")
        for job in jobs where job != jobs[2] {
            #expect(try await term.loggedDecisions(job).count == 1)
        }
    }

    @Test("batches respect etcd's operation limit under the fence: 100 jobs go in Txns of at most 127 operations")
    func batchLimits() async throws {
        let term = try await InMemoryTerm()
        let batcher = DecisionBatcher(leadership: term.leadership)
        let before = term.etcd.txnCount
        let outcomes = await batcher.submit(try (0..<100).map { try Self.skipItem(term, job: JobID(tenant: "t", name: "j\($0)"), at: 60) })
        #expect(outcomes.allSatisfy { (try? $0.get())?.isCommitted == true })
        // Two operations a job (decision, status), so at most 63 jobs a Txn: at least 2 Txns.
        #expect(term.etcd.txnCount - before >= 2 && term.etcd.txnCount - before <= 4)
    }

    @Test("a deposed leader's commit fails with LeadershipLost and writes nothing")
    func deposed() async throws {
        let term = try await InMemoryTerm()
        try await term.depose()
        let batcher = DecisionBatcher(leadership: term.leadership)
        await #expect(throws: LeadershipLost.self) { try await batcher.submit(Self.skipItem(term, job: Self.job, at: 60)) }
        #expect(try await term.loggedDecisions(Self.job).isEmpty)
    }

    @Test("the leader loop: a job fires on the manual clock, exactly one run per minute, assigned to the live executor")
    func loop() async throws {
        let term = try await InMemoryTerm()
        try await term.addMember("r1")
        try await term.apply(JobFixtures.spec(tenant: Self.job.tenant, name: Self.job.name, schedule: "* * * * *"))
        var options = SchedulerWork.Options()
        options.clock = term.clock
        options.workers = 2
        let leader = Task { try await SchedulerWork(options: options).run(term.leadership) }
        defer { leader.cancel() }
        // Loaded, synced (nothing due yet), and asleep until the first fire time: the
        // timer loop's sleep beside the history collector's.
        try await eventually("the leader sleeps until the next minute") { term.clock.sleepers >= 2 }
        #expect(try await term.runs(Self.job).isEmpty)
        for minute in 1...3 {
            term.clock.advance(by: 60)
            try await eventually("run \(minute) exists") { try await term.runs(Self.job).count == minute }
        }
        let runs = try await term.runs(Self.job).sorted { $0.scheduledUnix < $1.scheduledUnix }
        let t0 = Int64(InMemoryTerm.t0.timeIntervalSince1970)
        #expect(runs.map(\.scheduledUnix) == [t0 + 60, t0 + 120, t0 + 180])
        #expect(runs.allSatisfy { $0.assignedTo == "r1" && $0.state == .pending && $0.heldDecision != nil })
        #expect(runs.allSatisfy { $0.leaderToken == term.leadership.fence.token })
        let pointers = term.etcd.keys(withPrefix: term.keys.assignments("r1"))
        #expect(pointers.count == 3)
    }

    @Test("a failed sync is retried after its job's own backoff, not at once, and then commits")
    func syncBackoff() async throws {
        let term = try await InMemoryTerm()
        try await term.apply(JobFixtures.spec(tenant: Self.job.tenant, name: Self.job.name, schedule: "* * * * *"))
        var options = SchedulerWork.Options()
        options.clock = term.clock
        options.syncRetry = Backoff(initial: .seconds(5), maximum: .seconds(60), jitter: .none)
        let leader = Task { try await SchedulerWork(options: options).run(term.leadership) }
        defer { leader.cancel() }
        try await eventually("the leader sleeps until the next minute") { term.clock.sleepers >= 2 }
        let failed = Hits()
        term.etcd.failNextTxns(1, with: EtcdError(.unavailable, "injected")) { _ in
            failed.hit()
            return true
        }
        term.clock.advance(by: 60)
        try await eventually("the commit fails") { failed.count > 0 }
        // The job's retry is armed (the timer loop sleeps until it beside the collector).
        try await eventually("the retry is armed") { term.clock.sleepers >= 2 }
        #expect(try await term.runs(Self.job).isEmpty, "nothing written by the failed commit")
        term.clock.advance(by: 4)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await term.runs(Self.job).isEmpty, "not retried before its backoff")
        term.clock.advance(by: 1)
        try await eventually("retried after 5 s") { try await term.runs(Self.job).count == 1 }
    }
}

/// Counts calls from any task.
final class Hits: Sendable {
    private let calls = Mutex(0)

    func hit() { calls.withLock { $0 += 1 } }
    var count: Int { calls.withLock { $0 } }
}

extension DecisionBatcher.Outcome {
    var isCommitted: Bool {
        if case .committed = self { return true }
        return false
    }

    var isConflict: Bool {
        if case .conflict = self { return true }
        return false
    }
}
