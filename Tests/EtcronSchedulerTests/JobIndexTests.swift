import EtcdClient
import EtcronCore
import EtcronProto
@testable import EtcronScheduler
import EtcronTestKit
import Foundation
import SwiftProtobuf
import Testing

/// The leader's job index, without etcd: which stored changes make a job due for a sync,
/// and which are the leader's own writes coming back on its watch.
@Suite("Job index")
struct JobIndexTests {
    static let keys = JobKeys(prefix: "/etcron/")
    static let job = JobID(tenant: "payments", name: "settle")
    static let token: Int64 = 77

    static func kv(_ key: String, _ message: some SwiftProtobuf.Message, revision: Int64, version: Int64 = 1) throws -> KeyValue {
        KeyValue(key: key, value: try message.serializedData(), createRevision: revision - version + 1, modRevision: revision, version: version)
    }

    static func run(_ id: String, _ state: Etcron_V1_RunState, token: Int64 = 5, executor: String = "") -> Etcron_V1_Run {
        var run = Etcron_V1_Run(runID: id, tenant: job.tenant, job: job.name, scheduledUnix: 60, manual: false, createdAtUnixMs: 1, leaderToken: token)
        run.state = state
        run.assignedTo = executor
        return run
    }

    static func syncs(_ effect: JobIndex.Effect) -> Bool {
        if case .sync(let id) = effect { return id == job }
        return false
    }

    static func isNone(_ effect: JobIndex.Effect) -> Bool {
        if case .none = effect { return true }
        return false
    }

    static func syncsWhenIdle(_ effect: JobIndex.Effect) -> Bool {
        if case .syncWhenIdle(let id) = effect { return id == job }
        return false
    }

    @Test("a spec change makes the job due once per revision; an undecodable one is kept as a problem")
    func specs() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        let key = Self.keys.spec(Self.job.tenant, Self.job.name)
        #expect(Self.syncs(index.put(try Self.kv(key, JobFixtures.spec(), revision: 10), watched: true)))
        #expect(!Self.syncs(index.put(try Self.kv(key, JobFixtures.spec(), revision: 10), watched: true)), "the same revision again")
        #expect(!Self.syncs(index.put(try Self.kv(key, JobFixtures.spec(), revision: 9), watched: true)), "an older revision")
        #expect(index.jobIDs == [Self.job])
        #expect(Self.syncs(index.put(KeyValue(key: key, value: Data([0xff, 0x01]), modRevision: 11), watched: true)))
        guard case .failure(let problem)? = index.entry(Self.job)?.schedule else {
            Issue.record("an undecodable spec is a problem to report")
            return
        }
        #expect(problem.message.contains("cannot be decoded"))
        #expect(Self.syncs(index.delete(key)), "a deleted spec is synced once more (to stop it)")
        #expect(index.jobIDs.isEmpty)
    }

    @Test("jobs are counted per tenant as specs come, turn undecodable and go; each change is reported once")
    func jobsPerTenant() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        func spec(_ tenant: String, _ name: String) -> String { Self.keys.spec(tenant, name) }
        func changes() -> [String: Int] {
            Dictionary(uniqueKeysWithValues: index.takeJobCountChanges().map { ($0.tenant, $0.jobs) })
        }
        index.put(try Self.kv(spec("payments", "settle"), JobFixtures.spec(tenant: "payments", name: "settle"), revision: 10))
        index.put(try Self.kv(spec("payments", "refund"), JobFixtures.spec(tenant: "payments", name: "refund"), revision: 11))
        index.put(try Self.kv(spec("search", "reindex"), JobFixtures.spec(tenant: "search", name: "reindex"), revision: 12))
        #expect(index.jobsPerTenant == ["payments": 2, "search": 1])
        #expect(changes() == ["payments": 2, "search": 1])
        #expect(changes().isEmpty, "reported once")
        index.put(try Self.kv(spec("payments", "settle"), JobFixtures.spec(tenant: "payments", name: "settle"), revision: 13, version: 2))
        #expect(changes().isEmpty, "a changed spec is the same job")
        index.put(KeyValue(key: spec("payments", "settle"), value: Data([0xff, 0x01]), modRevision: 14), watched: true)
        #expect(changes() == ["payments": 1], "an undecodable spec is not counted")
        index.delete(spec("search", "reindex"))
        index.delete(spec("search", "reindex"))
        #expect(changes() == ["search": 0], "the tenant's last job went")
        #expect(index.jobsPerTenant == ["payments": 1])
        #expect(Set(index.tenantsCounted) == ["payments", "search"])
    }

    @Test("the leader's own run creations and pending runs come back on the watch without making the job due")
    func ownRunEchoes() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        _ = index.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), JobFixtures.spec(), revision: 3))
        let runKey = Self.keys.run(Self.job.tenant, Self.job.name, runID: "s-1")
        // A creation (version 1) after the load is this leader's own: ignored without decoding.
        #expect(!Self.syncs(index.put(KeyValue(key: runKey, value: Data([0xff]), modRevision: 20, version: 1), watched: true)))
        #expect(index.entry(Self.job)?.runs["s-1"] == nil)
        // A pending run stamped with this leader's token (a reassignment) is applied but not re-synced.
        #expect(!Self.syncs(index.put(try Self.kv(runKey, Self.run("s-1", .pending, token: Self.token, executor: "r1"), revision: 21, version: 2), watched: true)))
        #expect(index.entry(Self.job)?.runs["s-1"]?.assignedTo == "r1")
        // An executor's change (claimed, running) makes the job due.
        #expect(Self.syncs(index.put(try Self.kv(runKey, Self.run("s-1", .running, token: Self.token, executor: "r1"), revision: 22, version: 3), watched: true)))
        #expect(index.activeRuns(tenant: Self.job.tenant) == 1)
        #expect(!Self.syncs(index.put(try Self.kv(runKey, Self.run("s-1", .running, token: Self.token), revision: 22, version: 3), watched: true)), "known revision")
        // The same creation read by the initial load (not watched) is applied.
        let loaded = JobIndex(keys: Self.keys, leaderToken: Self.token)
        #expect(Self.syncs(loaded.put(try Self.kv(runKey, Self.run("s-1", .pending, token: 5), revision: 20, version: 1))))
    }

    @Test("what a commit wrote is recorded, so its echo is ignored, and a later executor change is never overwritten")
    func commits() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        _ = index.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), JobFixtures.spec(), revision: 3))
        var result = SyncResult()
        result.newRuns = [Self.run("s-1", .pending, token: Self.token)]
        var status = Etcron_V1_JobStatus()
        status.decidedThroughUnix = 60
        result.status = status
        index.committed([JobIndex.Commit(job: Self.job, result: result, assigned: [], revision: 30)])
        #expect(index.entry(Self.job)?.status?.decidedThroughUnix == 60 && index.entry(Self.job)?.statusRevision == 30)
        let statusKey = Self.keys.status(Self.job.tenant, Self.job.name)
        var stale = status
        stale.decidedThroughUnix = 1
        #expect(!Self.syncs(index.put(try Self.kv(statusKey, stale, revision: 30), watched: false)))
        #expect(index.entry(Self.job)?.status?.decidedThroughUnix == 60, "the echo of its own status at the same revision")
        // The executor claimed the run (revision 31) before the leader's next commit reply
        // for it (revision 30... applied late): the newer view stays.
        let runKey = Self.keys.run(Self.job.tenant, Self.job.name, runID: "s-1")
        _ = index.put(try Self.kv(runKey, Self.run("s-1", .running, token: Self.token, executor: "r1"), revision: 31, version: 2), watched: true)
        var late = SyncResult()
        late.updatedRuns = [Self.run("s-1", .pending, token: Self.token)]
        index.committed([JobIndex.Commit(job: Self.job, result: late, assigned: [], revision: 30)])
        #expect(index.entry(Self.job)?.runs["s-1"]?.state == .running)
        // Trimmed runs and consumed triggers go.
        _ = index.put(try Self.kv(Self.keys.triggers(Self.job.tenant, Self.job.name) + "t1", Etcron_V1_ManualTrigger(), revision: 32), watched: true)
        #expect(index.entry(Self.job)?.triggers.count == 1)
        var trim = SyncResult()
        trim.deletedRuns = ["s-1"]
        trim.consumedTriggers = ["t1"]
        index.committed([JobIndex.Commit(job: Self.job, result: trim, assigned: [], revision: 33)])
        #expect(index.entry(Self.job)?.runs.isEmpty == true && index.entry(Self.job)?.triggers.isEmpty == true)
        #expect(index.activeRuns(tenant: Self.job.tenant) == 0)
    }

    @Test("a trigger makes the job due; deletes of runs and triggers do not")
    func triggersAndDeletes() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        _ = index.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), JobFixtures.spec(), revision: 3))
        let trigger = Self.keys.triggers(Self.job.tenant, Self.job.name) + "t1"
        #expect(Self.syncs(index.put(try Self.kv(trigger, Etcron_V1_ManualTrigger(), revision: 4), watched: true)))
        #expect(!Self.syncs(index.delete(trigger)))
        let runKey = Self.keys.run(Self.job.tenant, Self.job.name, runID: "s-1")
        _ = index.put(try Self.kv(runKey, Self.run("s-1", .succeeded), revision: 5, version: 2), watched: true)
        #expect(!Self.syncs(index.delete(runKey)))
        #expect(index.entry(Self.job)?.runs.isEmpty == true)
        #expect(!Self.syncs(index.put(KeyValue(key: "/etcron/jobs/payments", value: Data(), modRevision: 6), watched: true)), "not a record")
    }

    @Test("an executor that leaves, or comes back with a new session, hands back the jobs of its active runs")
    func members() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        index.setMembers(["r1": 100, "r2": 200])
        _ = index.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), JobFixtures.spec(), revision: 3))
        let runKey = Self.keys.run(Self.job.tenant, Self.job.name, runID: "s-1")
        _ = index.put(try Self.kv(runKey, Self.run("s-1", .running, executor: "r1"), revision: 4, version: 2))
        #expect(index.member("r2", lease: nil).isEmpty, "r2 runs nothing")
        #expect(index.member("r1", lease: 100).isEmpty, "same session: nothing changed")
        #expect(index.member("r1", lease: 101) == [Self.job], "a new session: its runs are lost")
        #expect(index.member("r1", lease: nil) == [Self.job])
        #expect(index.members == [:])
    }

    @Test("a claim by an executor under its live session needs no sync; one by a session the leader counts as gone does; active runs are counted per executor")
    func claims() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        index.setMembers(["r1": 100, "r2": 200])
        _ = index.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), JobFixtures.spec(), revision: 3))
        func run(_ id: String, _ state: Etcron_V1_RunState, executor: String, lease: Int64) -> Etcron_V1_Run {
            var run = Self.run(id, state, token: Self.token, executor: executor)
            run.executorLease = lease
            return run
        }
        let first = Self.keys.run(Self.job.tenant, Self.job.name, runID: "s-1")
        let second = Self.keys.run(Self.job.tenant, Self.job.name, runID: "s-2")
        _ = index.put(try Self.kv(first, run("s-1", .pending, executor: "r1", lease: 0), revision: 10, version: 2), watched: true)
        _ = index.put(try Self.kv(second, run("s-2", .pending, executor: "r2", lease: 0), revision: 11, version: 2), watched: true)
        #expect(index.activeRunsByExecutor == ["r1": 1, "r2": 1])
        #expect(!Self.syncs(index.put(try Self.kv(first, run("s-1", .running, executor: "r1", lease: 100), revision: 12, version: 3), watched: true)),
            "claimed under r1's live session")
        #expect(Self.syncs(index.put(try Self.kv(second, run("s-2", .running, executor: "r2", lease: 199), revision: 13, version: 3), watched: true)),
            "claimed under a session r2 no longer holds")
        #expect(Self.isNone(index.put(try Self.kv(first, run("s-1", .succeeded, executor: "r1", lease: 100), revision: 14, version: 4), watched: true)),
            "a result nothing waits on, within the history limits: nothing to sync")
        #expect(index.activeRunsByExecutor["r1"] == 0 && index.activeRunsByExecutor["r2"] == 1)
    }

    @Test("a result whose job has a run or a trigger waiting is synced at once; with nothing waiting, only when history is over its limits, once the queue is idle")
    func results() throws {
        let index = JobIndex(keys: Self.keys, leaderToken: Self.token)
        index.setMembers(["r1": 100])
        _ = index.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), JobFixtures.spec(), revision: 3))
        let key = { (id: String) in Self.keys.run(Self.job.tenant, Self.job.name, runID: id) }
        var running = Self.run("s-1", .running, token: Self.token, executor: "r1")
        running.executorLease = 100
        _ = index.put(try Self.kv(key("s-1"), running, revision: 10, version: 3), watched: true)
        // Replace: s-2 waits, unassigned, for s-1 to end.
        var waiting = Self.run("s-2", .pending, token: Self.token)
        waiting.waitsFor = ["s-1"]
        _ = index.put(try Self.kv(key("s-2"), waiting, revision: 11, version: 2), watched: true)
        var ended = running
        ended.state = .stopped
        #expect(Self.syncs(index.put(try Self.kv(key("s-1"), ended, revision: 12, version: 4), watched: true)), "s-2 waits on it")

        let alone = JobIndex(keys: Self.keys, leaderToken: Self.token)
        alone.setMembers(["r1": 100])
        _ = alone.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), JobFixtures.spec(), revision: 3))
        _ = alone.put(try Self.kv(key("s-1"), running, revision: 10, version: 3), watched: true)
        _ = alone.put(try Self.kv(Self.keys.triggers(Self.job.tenant, Self.job.name) + "t1", Etcron_V1_ManualTrigger(), revision: 11), watched: true)
        #expect(Self.syncs(alone.put(try Self.kv(key("s-1"), ended, revision: 12, version: 4), watched: true)), "a trigger waits")
        alone.delete(Self.keys.triggers(Self.job.tenant, Self.job.name) + "t1")
        var later = running
        later.runID = "s-3"
        _ = alone.put(try Self.kv(key("s-3"), later, revision: 13, version: 3), watched: true)
        later.state = .failed
        #expect(Self.isNone(alone.put(try Self.kv(key("s-3"), later, revision: 14, version: 4), watched: true)),
            "nothing waits, and two finished runs are within the history limits: no sync at all")

        // History limits of one failed run: a second failure leaves one to trim.
        let trimming = JobIndex(keys: Self.keys, leaderToken: Self.token)
        trimming.setMembers(["r1": 100])
        var spec = JobFixtures.spec()
        spec.history.failed = 1
        _ = trimming.put(try Self.kv(Self.keys.spec(Self.job.tenant, Self.job.name), spec, revision: 3))
        var first = running
        first.state = .failed
        _ = trimming.put(try Self.kv(key("s-1"), first, revision: 10, version: 3), watched: true)
        _ = trimming.put(try Self.kv(key("s-3"), running.with(runID: "s-3"), revision: 11, version: 3), watched: true)
        var second = running.with(runID: "s-3")
        second.state = .timedOut
        #expect(Self.syncsWhenIdle(trimming.put(try Self.kv(key("s-3"), second, revision: 12, version: 4), watched: true)),
            "a second failure with a history of one: its sync trims, once the queue is idle")
        var succeeded = running.with(runID: "s-4")
        _ = trimming.put(try Self.kv(key("s-4"), succeeded, revision: 13, version: 3), watched: true)
        succeeded.state = .succeeded
        #expect(Self.syncsWhenIdle(trimming.put(try Self.kv(key("s-4"), succeeded, revision: 14, version: 4), watched: true)),
            "still two failures kept, one over the limit")
    }

    @Test("whether a job keeps more finished runs than its history limits: by class, default 10, no spec counts as over")
    func historyLimits() throws {
        var entry = JobEntry()
        #expect(JobIndex.exceedsHistory(entry), "no spec: sync, to be safe")
        var spec = JobFixtures.spec()
        spec.history.succeeded = 2
        entry.spec = SchedulingSpec(spec)
        func add(_ id: String, _ state: Etcron_V1_RunState) { entry.runs[id] = Self.run(id, state) }
        add("a", .succeeded)
        add("b", .succeeded)
        add("r", .running)
        add("p", .pending)
        for index in 0..<10 { add("f\(index)", [.failed, .timedOut, .stopped, .executorLost][index % 4]) }
        #expect(!JobIndex.exceedsHistory(entry), "2 of 2 succeeded, 10 of the default 10 failed; active runs do not count")
        add("c", .succeeded)
        #expect(JobIndex.exceedsHistory(entry))
        entry.runs["c"] = nil
        add("f10", .failed)
        #expect(JobIndex.exceedsHistory(entry))
    }
}

extension Etcron_V1_Run {
    /// The same run under another ID.
    fileprivate func with(runID: String) -> Etcron_V1_Run {
        var copy = self
        copy.runID = runID
        return copy
    }
}
