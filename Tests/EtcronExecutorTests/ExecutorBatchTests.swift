import EtcdClient
import EtcronCore
@testable import EtcronExecutor
import EtcronProto
import EtcronTestKit
import Foundation
import Logging
import SwiftProtobuf
import Testing

/// Runs handed to an executor in assignment batches: claimed at the batch's revision
/// without a read first, the spec read inside the claim, the batch deleted once its last
/// run is done with.
@Suite("Executor with assignment batches")
struct ExecutorBatchTests {
    static let keys = ExecutorInMemoryTests.keys
    static let job = ExecutorInMemoryTests.job

    /// Pending runs `runIDs` assigned to r1, written with their batch in one Txn as the
    /// leader does; the batch's key and the runs' keys.
    static func handed(_ etcd: InMemoryEtcd, runIDs: [String], spec: Etcron_V1_JobSpec? = nil) async throws -> (batch: String, runKeys: [String]) {
        let spec = spec ?? JobFixtures.spec(tenant: job.tenant, name: job.name)
        try await etcd.put(keys.spec(job.tenant, job.name), value: try spec.serializedData())
        var batch = Etcron_V1_AssignmentBatch()
        var operations: [TxnOperation] = []
        for runID in runIDs {
            var run = Etcron_V1_Run(runID: runID, tenant: job.tenant, job: job.name, scheduledUnix: 60, manual: false, createdAtUnixMs: 1, leaderToken: 9)
            try run.apply(.assign(executor: "r1"))
            var handed = Etcron_V1_AssignedRun()
            handed.key = keys.run(job.tenant, job.name, runID: runID)
            handed.run = try run.serializedData()
            batch.runs.append(handed)
            operations.append(.put(handed.key, handed.run))
        }
        let key = keys.assignmentBatch("r1", token: 9, sequence: 1)
        _ = try await etcd.txn(Txn(success: operations + [.put(key, try batch.serializedData())]))
        return (key, batch.runs.map(\.key))
    }

    /// Claims the first run of `batch` as the executor's loop does.
    static func claim(_ etcd: InMemoryEtcd, batch: String, work: ExecutorWork = ExecutorWork()) async throws -> (RunRecorder, Etcron_V1_JobSpec)? {
        let kv = try #require(etcd.value(of: batch))
        let first = try #require(try Etcron_V1_AssignmentBatch(serializedBytes: kv.value).runs.first)
        let run = KeyValue(key: first.key, value: first.run, modRevision: kv.modRevision)
        return try await work.claim(
            .handed(run: run, batch: BatchProgress(key: batch, runs: 1)), entry: ActiveRuns.Entry(),
            session: ExecutorInMemoryTests.session(etcd), logger: ExecutorInMemoryTests.logger)
    }

    @Test("a handed run is claimed in one transaction, with no read before it: running, its lease, one attempt, the spec read in the claim")
    func claimUnread() async throws {
        let etcd = InMemoryEtcd()
        let (batch, runKeys) = try await Self.handed(etcd, runIDs: ["s-1"])
        let before = etcd.txnCount
        let (_, spec) = try #require(try await Self.claim(etcd, batch: batch))
        #expect(etcd.txnCount - before == 1, "the claim alone")
        #expect(spec.name == Self.job.name)
        let run = try ExecutorInMemoryTests.run(etcd, runKeys[0])
        #expect(run.state == .running && run.executorLease == 1 && run.attempts == 1)
        // A replayed batch (a restart) finds it claimed: nothing more happens.
        #expect(try await Self.claim(etcd, batch: batch) == nil)
        #expect(try ExecutorInMemoryTests.run(etcd, runKeys[0]).attempts == 1)
    }

    @Test("a handed run changed since its batch (asked to stop) is decided again on the record the claim read back; one whose spec is gone fails unstarted")
    func staleOrOrphan() async throws {
        let etcd = InMemoryEtcd()
        let (batch, runKeys) = try await Self.handed(etcd, runIDs: ["s-1"])
        var stopping = try ExecutorInMemoryTests.run(etcd, runKeys[0])
        try stopping.apply(.requestStop(message: "Replace: stop requested"))
        try await etcd.put(runKeys[0], value: try stopping.serializedData())
        #expect(try await Self.claim(etcd, batch: batch) == nil)
        #expect(try ExecutorInMemoryTests.run(etcd, runKeys[0]).state == .stopped)

        let orphanEtcd = InMemoryEtcd()
        let (orphanBatch, orphanKeys) = try await Self.handed(orphanEtcd, runIDs: ["s-2"])
        try await orphanEtcd.delete(.key(Self.keys.spec(Self.job.tenant, Self.job.name)))
        #expect(try await Self.claim(orphanEtcd, batch: orphanBatch) == nil)
        let failed = try ExecutorInMemoryTests.run(orphanEtcd, orphanKeys[0])
        #expect(failed.state == .failed && failed.message == "the job's spec was deleted or is unreadable" && failed.attempts == 0)
    }

    @Test("a handed run whose spec exists but cannot be read is claimed, then fails saying so")
    func unreadableSpec() async throws {
        let etcd = InMemoryEtcd()
        let (batch, runKeys) = try await Self.handed(etcd, runIDs: ["s-1"])
        try await etcd.put(Self.keys.spec(Self.job.tenant, Self.job.name), value: Data([0xff, 0xff, 0xff]))
        #expect(try await Self.claim(etcd, batch: batch) == nil)
        let failed = try ExecutorInMemoryTests.run(etcd, runKeys[0])
        #expect(failed.state == .failed && failed.message == "the job's spec is unreadable")
    }

    @Test("the executor loop runs every run of a batch to its result, then deletes the batch; a stop still reaches a run through its own pointer")
    func loop() async throws {
        let etcd = InMemoryEtcd()
        var spec = JobFixtures.spec(tenant: Self.job.tenant, name: Self.job.name)
        spec.target.exec.command = "/bin/sh"
        spec.target.exec.args = ["-c", "case $ETCRON_RUN_ID in s-3) sleep 30;; esac"]
        let (batch, runKeys) = try await Self.handed(etcd, runIDs: ["s-1", "s-2", "s-3"], spec: spec)
        let work = ExecutorWork(stopGrace: .milliseconds(200), settings: TargetRunnerSettings())
        let executor = Task { try await work.run(client: etcd, leaseID: 1, replicaID: "r1", keys: Self.keys.base) }
        defer { executor.cancel() }
        for key in runKeys.prefix(2) {
            try await ExecutorInMemoryTests.waitUntil(etcd, key) { $0 == .succeeded }
        }
        try await ExecutorInMemoryTests.waitUntil(etcd, runKeys[2]) { $0 == .running }
        #expect(etcd.value(of: batch) != nil, "one of its runs is still running")
        // The leader (Replace) asks s-3 to stop and touches its own pointer, in one write.
        let pointer = Self.keys.assignments("r1") + "s-3"
        var stopping = try ExecutorInMemoryTests.run(etcd, runKeys[2])
        try stopping.apply(.requestStop(message: "Replace: stop requested"))
        _ = try await etcd.txn(Txn(success: [.put(runKeys[2], try stopping.serializedData()), .put(pointer, Data(runKeys[2].utf8))]))
        try await ExecutorInMemoryTests.waitUntil(etcd, runKeys[2]) { $0 == .stopped }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, etcd.value(of: batch) != nil || etcd.value(of: pointer) != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(etcd.value(of: batch) == nil && etcd.value(of: pointer) == nil, "the batch and the touched pointer are gone")
        #expect(try runKeys.map { try ExecutorInMemoryTests.run(etcd, $0).attempts } == [1, 1, 1])
    }
}
