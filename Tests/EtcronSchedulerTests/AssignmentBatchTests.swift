import EtcdClient
import EtcronCore
import EtcronProto
@testable import EtcronScheduler
import EtcronExecutor
import EtcronTestKit
import Foundation
import Synchronization
import SwiftProtobuf
import Testing

/// How the leader hands runs to executors: one assignment batch per executor per Txn for
/// members that read batches, a pointer per run for older members (a rolling upgrade).
@Suite("Assignment batches")
struct AssignmentBatchTests {
    /// The keys put under each member's assignments.
    final class Handed: Sendable {
        let names = Mutex<[String: [String]]>([:])
    }

    /// A new run of `job` at `time`, assigned to `executor`, as a commit item.
    static func assignedItem(_ term: InMemoryTerm, job: JobID, at time: Int64, to executor: String, batching: Set<String>) throws -> CommitItem {
        var run = Etcron_V1_Run(
            runID: RunID.scheduled(tenant: job.tenant, job: job.name, scheduledUnix: time), tenant: job.tenant, job: job.name,
            scheduledUnix: time, manual: false, createdAtUnixMs: 1, leaderToken: term.leadership.fence.token)
        var result = SyncResult()
        result.newRuns = [run]
        try run.apply(.assign(executor: executor))
        return try CommitItem(job: job, keys: term.keys, result: result, assigned: [run], runRevisions: [:], errorDecision: nil, batching: batching)
    }

    @Test("runs for members that read batches go in one batch per executor per Txn, each as written there; an older member gets a pointer per run")
    func oneBatchPerExecutor() async throws {
        let term = try await InMemoryTerm()
        let keys = term.keys
        let jobs = (0..<5).map { JobID(tenant: "acme", name: "j\($0)") }
        let executors = ["new-a", "new-b", "new-a", "old", "new-a"]
        let items = try zip(jobs, executors).map { job, executor in
            try Self.assignedItem(term, job: job, at: 60, to: executor, batching: ["new-a", "new-b"])
        }
        #expect(items.map(\.handoffs.count) == [1, 1, 1, 0, 1])
        let batcher = DecisionBatcher(leadership: term.leadership)
        let before = term.etcd.txnCount
        let outcomes = await batcher.submit(items)
        #expect(outcomes.allSatisfy { (try? $0.get())?.isCommitted == true })
        #expect(term.etcd.txnCount - before == 1, "the five jobs in one Txn")

        let batchKeys = term.etcd.keys(withPrefix: keys.assignments("new-a"))
        #expect(batchKeys.count == 1 && batchKeys[0].hasPrefix(keys.assignments("new-a") + "b-"), "\(batchKeys)")
        let batchKV = try #require(term.etcd.value(of: batchKeys[0]))
        let batch = try Etcron_V1_AssignmentBatch(serializedBytes: batchKV.value)
        let expected = [0, 2, 4].map { keys.run(jobs[$0].tenant, jobs[$0].name, runID: RunID.scheduled(tenant: "acme", job: jobs[$0].name, scheduledUnix: 60)) }
        #expect(batch.runs.map(\.key) == expected)
        for handed in batch.runs {
            // The run as stored, at the batch's revision: the executor claims it unread.
            let stored = try #require(term.etcd.value(of: handed.key))
            #expect(stored.value == handed.run && stored.modRevision == batchKV.modRevision)
            #expect(try Etcron_V1_Run(serializedBytes: handed.run).assignedTo == "new-a")
        }
        #expect(term.etcd.keys(withPrefix: keys.assignments("new-b")).count == 1)
        // The older member: its run's own pointer, whose value is the run's key.
        let old = term.etcd.keys(withPrefix: keys.assignments("old"))
        let oldRun = keys.run("acme", "j3", runID: RunID.scheduled(tenant: "acme", job: "j3", scheduledUnix: 60))
        #expect(old == [keys.assignments("old") + RunID.scheduled(tenant: "acme", job: "j3", scheduledUnix: 60)])
        #expect(term.etcd.value(of: old[0])?.valueString == oldRun)
    }

    @Test("a batch's records count against the Txn's operation limit")
    func operationLimit() async throws {
        let term = try await InMemoryTerm()
        let executors = (0..<8).map { "e\($0)" }
        // Each item: a run put, and a batch record for its own executor.
        let items = try (0..<16).map { i in
            try Self.assignedItem(term, job: JobID(tenant: "acme", name: "j\(i)"), at: 60, to: executors[i % 8], batching: Set(executors))
        }
        let batcher = DecisionBatcher(leadership: term.leadership, maxOperations: 12)
        let before = term.etcd.txnCount
        let outcomes = await batcher.submit(items)
        #expect(outcomes.allSatisfy { (try? $0.get())?.isCommitted == true })
        // 6 runs and their 6 batches fill a Txn of 12: 16 runs take 3 Txns.
        #expect(term.etcd.txnCount - before == 3)
        let batches = term.etcd.keys(withPrefix: term.keys.assignmentsRoot)
        #expect(batches.count == 16, "one batch per executor per Txn: \(batches.count)")
    }

    @Test("the leader loop hands a member that reads batches its runs in batches, and names batches apart across terms")
    func loop() async throws {
        let term = try await InMemoryTerm()
        try await term.addMember("r1", readsBatches: true)
        let job = JobID(tenant: "acme", name: "payroll")
        try await term.apply(JobFixtures.spec(tenant: job.tenant, name: job.name, schedule: "* * * * *"))
        var options = SchedulerWork.Options()
        options.clock = term.clock
        let leader = Task { try await SchedulerWork(options: options).run(term.leadership) }
        defer { leader.cancel() }
        try await eventually("the leader sleeps until the next minute") { term.clock.sleepers >= 2 }
        for minute in 1...2 {
            term.clock.advance(by: 60)
            try await eventually("run \(minute) exists") { try await term.runs(job).count == minute }
        }
        let batches = term.etcd.keys(withPrefix: term.keys.assignments("r1"))
        #expect(batches.count == 2 && batches.allSatisfy { $0.contains("/b-\(String(term.leadership.fence.token, radix: 16))-") }, "\(batches)")
        let named = try batches.flatMap { try Etcron_V1_AssignmentBatch(serializedBytes: #require(term.etcd.value(of: $0)).value).runs.map(\.key) }
        #expect(Set(named) == Set(try await term.runs(job).map { term.keys.run(job.tenant, job.name, runID: $0.runID) }))
    }

    @Test("a rolling upgrade: the leader hands an older member a pointer per run and a newer one batches; every run executes once")
    func mixedVersions() async throws {
        let term = try await InMemoryTerm()
        let newLease = try await term.addMember("new", readsBatches: true)
        let oldLease = try await term.addMember("old")
        let jobs = (0..<6).map { JobID(tenant: "acme", name: "j\($0)") }
        for job in jobs {
            var spec = JobFixtures.spec(tenant: job.tenant, name: job.name, schedule: "* * * * *")
            spec.target.exec.command = "/bin/true"
            spec.target.exec.args = []
            try await term.apply(spec)
        }
        // What each executor is handed, as its watch sees it.
        let handed = Handed()
        let watchers = ["new", "old"].map { member in
            Task {
                for try await response in term.etcd.watch(.prefix(term.keys.assignments(member)), options: WatchOptions(startRevision: 1)) {
                    for event in response.events where event.kind == .put {
                        let name = String(event.kv.keyString.dropFirst(term.keys.assignments(member).count))
                        handed.names.withLock { $0[member, default: []].append(name) }
                    }
                }
            }
        }
        defer { watchers.forEach { $0.cancel() } }
        var options = SchedulerWork.Options()
        options.clock = term.clock
        let leader = Task { try await SchedulerWork(options: options).run(term.leadership) }
        defer { leader.cancel() }
        let executors = [("new", newLease), ("old", oldLease)].map { member, lease in
            Task { try await ExecutorWork(settings: TargetRunnerSettings()).run(client: term.etcd, leaseID: lease, replicaID: member, keys: term.keys.base) }
        }
        defer { executors.forEach { $0.cancel() } }
        try await eventually("the leader sleeps until the next minute") { term.clock.sleepers >= 2 }
        term.clock.advance(by: 60)
        try await eventually("every run succeeded", within: 60) {
            var all: [Etcron_V1_Run] = []
            for job in jobs { all += try await term.runs(job) }
            return all.count == jobs.count && all.allSatisfy { $0.state == .succeeded }
        }
        var runs: [Etcron_V1_Run] = []
        for job in jobs { runs += try await term.runs(job) }
        #expect(runs.allSatisfy { $0.attempts == 1 })
        #expect(Set(runs.map(\.assignedTo)) == ["new", "old"], "the burst spread over both")
        let seen = handed.names.withLock { $0 }
        #expect(seen["old"]?.allSatisfy { $0.hasPrefix(RunID.scheduledPrefix) } == true, "the older member: run pointers only: \(seen)")
        #expect(seen["new"]?.allSatisfy { $0.hasPrefix(JobKeys.assignmentBatchMark) } == true, "the newer member: batches only: \(seen)")
        try await eventually("every pointer and batch is gone") { term.etcd.keys(withPrefix: term.keys.assignmentsRoot).isEmpty }
    }
}
