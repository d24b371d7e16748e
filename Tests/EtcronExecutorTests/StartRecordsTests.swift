import EtcdClient
import EtcronCore
@testable import EtcronExecutor
import EtcronProto
import EtcronTestKit
import Foundation
import Logging
import Testing

/// The executor's one queue of start records: a run still running when its start falls due
/// gets it written; a run whose result came first costs no write; the queue's task ends
/// with its session.
@Suite("Start records")
struct StartRecordsTests {
    typealias Fixture = ExecutorInMemoryTests

    /// Two claimed runs (s-1, s-2) of one job, and their recorders.
    private func claimed(_ etcd: InMemoryEtcd) async throws -> [(key: String, recorder: RunRecorder)] {
        var claimed: [(key: String, recorder: RunRecorder)] = []
        for runID in ["s-1", "s-2"] {
            let (runKey, pointer) = try await Fixture.assigned(etcd, runID: runID)
            let (recorder, _) = try #require(try await Fixture.claim(ExecutorWork(), runKey, pointer: pointer, session: Fixture.session(etcd)))
            claimed.append((runKey, recorder))
        }
        return claimed
    }

    /// Waits (30 s at most: CI machines are busy) until the run at `key` has a start time.
    private func waitForStart(_ etcd: InMemoryEtcd, _ key: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, try Fixture.run(etcd, key).startedAtUnixMs == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("after the delay, the start of a run still running is written; a run finished first gets no write of its own")
    func writesOnlyRunning() async throws {
        let etcd = InMemoryEtcd()
        let runs = try await claimed(etcd)
        let records = StartRecords(delay: .milliseconds(200))
        let loop = Task { await records.run() }
        defer { loop.cancel() }
        let revisionBefore = try await etcd.range(.key("none")).header.revision
        records.started(runs[0].key, recorder: runs[0].recorder, atUnixMs: 1_000, logger: Fixture.logger)
        records.started(runs[1].key, recorder: runs[1].recorder, atUnixMs: 2_000, logger: Fixture.logger)
        records.finished(runs[1].key)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try Fixture.run(etcd, runs[0].key).startedAtUnixMs == 0, "not before the delay")
        try await waitForStart(etcd, runs[0].key)
        #expect(try Fixture.run(etcd, runs[0].key).startedAtUnixMs == 1_000)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try Fixture.run(etcd, runs[1].key).startedAtUnixMs == 0)
        let revisionAfter = try await etcd.range(.key("none")).header.revision
        #expect(revisionAfter == revisionBefore + 1, "one write: the running run's start")
    }

    @Test("starts queued one after another are each written at their own time, and an idle queue waits for the next")
    func inOrderAndIdle() async throws {
        let etcd = InMemoryEtcd()
        let runs = try await claimed(etcd)
        let records = StartRecords(delay: .milliseconds(100))
        let loop = Task { await records.run() }
        defer { loop.cancel() }
        records.started(runs[0].key, recorder: runs[0].recorder, atUnixMs: 1_000, logger: Fixture.logger)
        try await waitForStart(etcd, runs[0].key)
        // The queue is empty now: its task waits, and wakes for the next start.
        try await Task.sleep(for: .milliseconds(200))
        records.started(runs[1].key, recorder: runs[1].recorder, atUnixMs: 2_000, logger: Fixture.logger)
        try await waitForStart(etcd, runs[1].key)
        #expect(try Fixture.run(etcd, runs[0].key).startedAtUnixMs == 1_000)
        #expect(try Fixture.run(etcd, runs[1].key).startedAtUnixMs == 2_000)
    }

    @Test("cancelling the queue's task ends it, waiting or sleeping, and starts queued later are dropped")
    func cancellation() async throws {
        let etcd = InMemoryEtcd()
        let runs = try await claimed(etcd)
        let idle = StartRecords(delay: .seconds(60))
        let waiting = Task { await idle.run() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await waiting.value
        idle.started(runs[0].key, recorder: runs[0].recorder, atUnixMs: 1_000, logger: Fixture.logger)

        let busy = StartRecords(delay: .seconds(60))
        busy.started(runs[1].key, recorder: runs[1].recorder, atUnixMs: 2_000, logger: Fixture.logger)
        let sleeping = Task { await busy.run() }
        try await Task.sleep(for: .milliseconds(50))
        sleeping.cancel()
        await sleeping.value
        #expect(try Fixture.run(etcd, runs[1].key).startedAtUnixMs == 0)
    }
}
