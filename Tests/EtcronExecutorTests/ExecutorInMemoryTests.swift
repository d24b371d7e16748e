import EtcdClient
import EtcronCore
@testable import EtcronExecutor
import EtcronProto
import EtcronTestKit
import Foundation
import Logging
import SwiftProtobuf
import Testing

/// The executor's claims and run records against an in-memory etcd: who may claim a run,
/// and what each write compares.
@Suite("Executor without etcd")
struct ExecutorInMemoryTests {
    static let keys = JobKeys(prefix: "/etcron/")
    static let job = JobID(tenant: "acme", name: "payroll")
    static let logger = Logger(label: "test.executor")

    /// A pending run assigned to `executor`, its pointer, and the job's spec.
    static func assigned(
        _ etcd: InMemoryEtcd, runID: String = "s-1", to executor: String = "r1", configure: (inout Etcron_V1_Run) -> Void = { _ in }
    ) async throws -> (runKey: String, pointer: String) {
        try await etcd.put(keys.spec(job.tenant, job.name), value: try JobFixtures.spec(tenant: job.tenant, name: job.name).serializedData())
        var run = Etcron_V1_Run(runID: runID, tenant: job.tenant, job: job.name, scheduledUnix: 60, manual: false, createdAtUnixMs: 1, leaderToken: 9)
        try run.apply(.assign(executor: executor))
        configure(&run)
        let runKey = keys.run(job.tenant, job.name, runID: runID)
        let pointer = keys.assignments(executor) + runID
        try await etcd.put(runKey, value: try run.serializedData())
        try await etcd.put(pointer, value: Data(runKey.utf8))
        return (runKey, pointer)
    }

    /// Claims the run at `runKey` through its own `pointer`, as the executor's loop does.
    static func claim(_ work: ExecutorWork, _ runKey: String, pointer: String, session: ExecutorSession) async throws -> (RunRecorder, Etcron_V1_JobSpec)? {
        let entry = ActiveRuns.Entry()
        entry.note(pointer: pointer)
        return try await work.claim(.pointer(KeyValue(key: pointer, value: Data(runKey.utf8), modRevision: 0)), entry: entry, session: session, logger: logger)
    }

    /// Executor r1's session, lease 1.
    static func session(_ etcd: InMemoryEtcd) -> ExecutorSession {
        ExecutorSession(client: etcd, leaseID: 1, replicaID: "r1", keys: keys)
    }

    /// Waits (30 s at most: the whole test process shares a few threads, and CI machines
    /// are busy) until the run's state satisfies `done`.
    static func waitUntil(_ etcd: InMemoryEtcd, _ key: String, _ done: (Etcron_V1_RunState?) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, !done(try? run(etcd, key).state) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func run(_ etcd: InMemoryEtcd, _ key: String) throws -> Etcron_V1_Run {
        try Etcron_V1_Run(serializedBytes: try #require(etcd.value(of: key)).value)
    }

    @Test("an executor claims the run assigned to it once: running, its lease, one attempt; another executor cannot")
    func claim() async throws {
        let etcd = InMemoryEtcd()
        let (runKey, pointer) = try await Self.assigned(etcd)
        let work = ExecutorWork(clock: ManualClock(Date(timeIntervalSince1970: 100)))
        // r2 holds a stale pointer to r1's run: it claims nothing and drops its pointer.
        let stale = Self.keys.assignments("r2") + "s-1"
        try await etcd.put(stale, value: Data(runKey.utf8))
        #expect(try await Self.claim(work, runKey, pointer: stale, session: ExecutorSession(client: etcd, leaseID: 2, replicaID: "r2", keys: Self.keys)) == nil)
        #expect(etcd.value(of: stale) == nil)
        let claimed = try #require(try await Self.claim(work, runKey, pointer: pointer, session: Self.session(etcd)))
        #expect(claimed.1.name == Self.job.name)
        let run = try Self.run(etcd, runKey)
        #expect(run.state == .running && run.executorLease == 1 && run.attempts == 1 && run.claimedAtUnixMs == 100_000)
        // Claimed already: a second claim (a replayed pointer) finds it running and does nothing.
        #expect(try await Self.claim(work, runKey, pointer: pointer, session: Self.session(etcd)) == nil)
        #expect(try Self.run(etcd, runKey).attempts == 1)
    }

    @Test("a run asked to stop, or whose spec is gone, ends unstarted at the claim and its pointer goes")
    func unstarted() async throws {
        let etcd = InMemoryEtcd()
        let work = ExecutorWork()
        let (stopped, stoppedPointer) = try await Self.assigned(etcd, runID: "s-1") { try? $0.apply(.requestStop(message: "Replace: stop requested")) }
        #expect(try await Self.claim(work, stopped, pointer: stoppedPointer, session: Self.session(etcd)) == nil)
        #expect(try Self.run(etcd, stopped).state == .stopped)
        #expect(etcd.value(of: stoppedPointer) == nil)
        let (orphan, orphanPointer) = try await Self.assigned(etcd, runID: "s-2")
        try await etcd.delete(.key(Self.keys.spec(Self.job.tenant, Self.job.name)))
        #expect(try await Self.claim(work, orphan, pointer: orphanPointer, session: Self.session(etcd)) == nil)
        let failed = try Self.run(etcd, orphan)
        #expect(failed.state == .failed && failed.message == "the job's spec was deleted or is unreadable")
    }

    @Test("a claim that loses a race to the leader reads the run again and decides on what it reads")
    func claimRace() async throws {
        let etcd = InMemoryEtcd()
        let (runKey, pointer) = try await Self.assigned(etcd)
        // The leader asks the run to stop between the executor's read and its claim.
        // Holds the claim's write (the only nested Txn with a compare that puts the run).
        let gate = etcd.pauseTxns { txn in
            txn.success.contains { operation in
                guard case .txn(let nested) = operation, !nested.compare.isEmpty else { return false }
                return nested.success.contains { if case .put(let key, _, _, _) = $0 { return key == runKey } else { return false } }
            }
        }
        let claim = Task { try await Self.claim(ExecutorWork(), runKey, pointer: pointer, session: Self.session(etcd)) }
        await gate.waitUntilHeld(1)
        var run = try Self.run(etcd, runKey)
        try run.apply(.requestStop(message: "Replace: stop requested"))
        try await etcd.put(runKey, value: try run.serializedData())
        gate.open()
        #expect(try await claim.value == nil, "asked to stop: not started")
        #expect(try Self.run(etcd, runKey).state == .stopped)
    }

    @Test("the recorder writes only over the revision it saw; a run the leader declared lost is not overwritten")
    func recorder() async throws {
        let etcd = InMemoryEtcd()
        let (runKey, pointer) = try await Self.assigned(etcd)
        let (recorder, _) = try #require(try await Self.claim(ExecutorWork(), runKey, pointer: pointer, session: Self.session(etcd)))
        #expect(try await recorder.update { try $0.apply(.start(atUnixMs: 5)) })
        #expect(try Self.run(etcd, runKey).startedAtUnixMs == 5)
        // The leader's unrelated change (stop requested) is read back and kept.
        var changed = try Self.run(etcd, runKey)
        try changed.apply(.requestStop(message: "Replace"))
        try await etcd.put(runKey, value: try changed.serializedData())
        #expect(try await recorder.update { try $0.apply(.attempt(2)) })
        let both = try Self.run(etcd, runKey)
        #expect(both.stopRequested && both.attempts == 2)
        // Declared lost and retried under another executor: this one no longer writes.
        var lost = both
        try lost.apply(.retryAfterLostExecutor(message: "lost"))
        try await etcd.put(runKey, value: try lost.serializedData())
        #expect(try await recorder.update(extra: [.delete(.key(pointer))]) { try $0.apply(.finish(.succeeded, atUnixMs: 9)) } == false)
        #expect(try Self.run(etcd, runKey).state == .pending)
        #expect(etcd.value(of: pointer) != nil, "nothing of the refused write landed")
    }

    @Test("the executor loop runs an assigned exec run to its result and removes its pointer")
    func loop() async throws {
        let etcd = InMemoryEtcd()
        let (runKey, pointer) = try await Self.assigned(etcd)
        let work = ExecutorWork(settings: TargetRunnerSettings())
        let executor = Task { try await work.run(client: etcd, leaseID: 1, replicaID: "r1", keys: Self.keys.base) }
        defer { executor.cancel() }
        try await Self.waitUntil(etcd, runKey) { $0 == .succeeded }
        let run = try Self.run(etcd, runKey)
        #expect(run.state == .succeeded && run.attempts == 1 && run.startedAtUnixMs > 0 && run.finishedAtUnixMs >= run.startedAtUnixMs)
        #expect(etcd.value(of: pointer) == nil)
    }

    @Test("a stop request reaches a running run through its pointer, which the leader touches: no watch per run")
    func stopThroughPointer() async throws {
        let etcd = InMemoryEtcd()
        let (runKey, pointer) = try await Self.assigned(etcd)
        var spec = JobFixtures.spec(tenant: Self.job.tenant, name: Self.job.name)
        spec.target.exec.command = "/bin/sleep"
        spec.target.exec.args = ["30"]
        try await etcd.put(Self.keys.spec(Self.job.tenant, Self.job.name), value: try spec.serializedData())
        let work = ExecutorWork(stopGrace: .milliseconds(200), settings: TargetRunnerSettings())
        let executor = Task { try await work.run(client: etcd, leaseID: 1, replicaID: "r1", keys: Self.keys.base) }
        defer { executor.cancel() }
        try await Self.waitUntil(etcd, runKey) { $0 == .running }
        // The leader (Replace) asks the run to stop and touches its pointer, in one write.
        var stopping = try Self.run(etcd, runKey)
        try stopping.apply(.requestStop(message: "Replace: stop requested for run s-2"))
        _ = try await etcd.txn(Txn(success: [.put(runKey, try stopping.serializedData()), .put(pointer, Data(runKey.utf8))]))
        try await Self.waitUntil(etcd, runKey) { $0 != .running }
        let run = try Self.run(etcd, runKey)
        #expect(run.state == .stopped && run.message.hasPrefix("Replace: stop requested for run s-2"), "\(run.state): \(run.message)")
        #expect(etcd.value(of: pointer) == nil)
    }

    @Test("writes of many runs share one transaction; a stale run's conflict is its own, and hands back the record as it is")
    func batchedWrites() async throws {
        let etcd = InMemoryEtcd()
        let keys = (0..<3).map { "/etcron/jobs/acme/j\($0)/runs/s-1" }
        var revisions: [Int64] = []
        for key in keys { revisions.append(try await etcd.put(key, value: Data("old".utf8))) }
        // Another writer changes the second run after it was read.
        _ = try await etcd.put(keys[1], value: Data("theirs".utf8))
        let batcher = RunBatcher(client: etcd, maxInFlight: 1)
        let gate = etcd.pauseTxns()
        let blocker = Task { try await batcher.read([keys[0]]) }
        await gate.waitUntilHeld(1)
        let before = etcd.txnCount
        async let first = batcher.write(RunBatcher.Write(key: keys[0], revision: revisions[0], operations: [.put(keys[0], Data("a".utf8))]))
        async let second = batcher.write(RunBatcher.Write(key: keys[1], revision: revisions[1], operations: [.put(keys[1], Data("b".utf8))]))
        async let third = batcher.write(RunBatcher.Write(key: keys[2], revision: revisions[2], operations: [.put(keys[2], Data("c".utf8))]))
        try await Task.sleep(for: .milliseconds(50))
        gate.open()
        _ = try await blocker.value
        let outcomes = try await [first, second, third]
        #expect(etcd.txnCount - before == 1, "one transaction for the three writes (after the held read)")
        guard case .written = outcomes[0], case .conflict(let current) = outcomes[1], case .written = outcomes[2] else {
            Issue.record("outcomes: \(outcomes)")
            return
        }
        #expect(current.map { String(decoding: $0.value, as: UTF8.self) } == "theirs")
        #expect(etcd.value(of: keys[0])?.value == Data("a".utf8) && etcd.value(of: keys[2])?.value == Data("c".utf8))
        #expect(etcd.value(of: keys[1])?.value == Data("theirs".utf8))
    }

    @Test("a claim whose answer is lost, and a result whose batch fails, are retried: the run runs once and its result is recorded")
    func lostAnswers() async throws {
        let etcd = InMemoryEtcd()
        let (runKey, pointer) = try await Self.assigned(etcd)
        /// A batch holding a nested write of the run: the claim first, the result later.
        let writesRun: @Sendable (Txn) -> Bool = { txn in
            txn.success.contains { operation in
                guard case .txn(let nested) = operation else { return false }
                return nested.success.contains { if case .put(let key, _, _, _) = $0 { key == runKey } else { false } }
            }
        }
        etcd.failNextTxns(1, with: EtcdError(.unavailable, "injected: the claim's answer is lost"), at: .afterApplying, where: writesRun)
        etcd.failNextTxns(1, with: EtcdError(.unavailable, "injected: the result's batch fails"), at: .beforeApplying, where: { txn in
            writesRun(txn) && txn.success.contains { if case .txn(let nested) = $0 { nested.success.count == 2 } else { false } }
        })
        let work = ExecutorWork(settings: TargetRunnerSettings())
        let executor = Task { try await work.run(client: etcd, leaseID: 1, replicaID: "r1", keys: Self.keys.base) }
        defer { executor.cancel() }
        try await Self.waitUntil(etcd, runKey) { $0 == .succeeded }
        let run = try Self.run(etcd, runKey)
        #expect(run.state == .succeeded && run.attempts == 1, "\(run.state), attempts \(run.attempts)")
        #expect(etcd.value(of: pointer) == nil)
    }
}
