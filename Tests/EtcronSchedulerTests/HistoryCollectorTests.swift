import EtcdClient
import EtcronCore
import EtcronReplica
@testable import EtcronScheduler
import Testing

/// The leader's garbage-collection plan, without etcd.
@Suite("history garbage collection plan")
struct HistoryCollectorTests {
    let keys = JobKeys(ReplicaKeys(prefix: "/etcron/"))
    let live = JobID(tenant: "t", name: "live")
    let gone = JobID(tenant: "t", name: "gone")

    func facts(_ job: JobID, deleted: Bool = false, decided: Int64, activity: Int64? = nil, active: Bool = false) -> JobHistoryFacts {
        JobHistoryFacts(job: job, deleted: deleted, decidedThroughUnix: decided, lastActivityUnix: activity ?? decided, hasActiveRuns: active)
    }

    @Test("old decisions are trimmed with one range delete that stops at the cutoff")
    func trimRange() throws {
        let collector = HistoryCollector(keys: keys, retentionSeconds: 100)
        let plan = collector.plan([facts(live, decided: 990)], nowUnix: 1000)
        let deletion = try #require(plan.first)
        #expect(plan.count == 1)
        #expect(deletion.kind == .trim(before: 900))
        #expect(deletion.compares.isEmpty)
        #expect(deletion.operations == [.delete(.range(from: "/etcron/decisions/t/live/", to: "/etcron/decisions/t/live/000000000900"))])
    }

    @Test("a job is trimmed again only after it decided something at or after its last cutoff")
    func idleJobsCostNothing() {
        var collector = HistoryCollector(keys: keys, retentionSeconds: 100)
        for deletion in collector.plan([facts(live, decided: 850)], nowUnix: 1000) { collector.done(deletion) }
        #expect(collector.plan([facts(live, decided: 850)], nowUnix: 1100).isEmpty, "nothing decided since the cutoff 900")
        let again = collector.plan([facts(live, decided: 950)], nowUnix: 1100)
        #expect(again.map(\.kind) == [.trim(before: 1000)])
        #expect(collector.plan([facts(live, decided: 950)], nowUnix: 1000).isEmpty, "the cutoff did not move")
    }

    @Test("a deleted job is purged once quiet for the retention and without active runs, only while its spec is absent")
    func purgeDeleted() throws {
        let collector = HistoryCollector(keys: keys, retentionSeconds: 100)
        #expect(collector.plan([facts(gone, deleted: true, decided: 950)], nowUnix: 1000).map(\.kind) == [.trim(before: 900)])
        #expect(collector.plan([facts(gone, deleted: true, decided: 800, activity: 950)], nowUnix: 1000).map(\.kind) == [.trim(before: 900)])
        #expect(collector.plan([facts(gone, deleted: true, decided: 800, active: true)], nowUnix: 1000).map(\.kind) == [.trim(before: 900)])
        let purge = try #require(collector.plan([facts(gone, deleted: true, decided: 800)], nowUnix: 1000).first)
        #expect(purge.kind == .purge)
        #expect(purge.compares == [.createRevision("/etcron/jobs/t/gone/spec", .equal, 0)])
        #expect(purge.operations == [
            .delete(.prefix("/etcron/jobs/t/gone/")), .delete(.key("/etcron/status/t/gone")), .delete(.prefix("/etcron/decisions/t/gone/")),
        ])
    }

    @Test("jobs gone from the index are forgotten")
    func forget() {
        var collector = HistoryCollector(keys: keys, retentionSeconds: 100)
        for deletion in collector.plan([facts(live, decided: 990), facts(gone, decided: 990)], nowUnix: 1000) { collector.done(deletion) }
        collector.keep(only: [live])
        #expect(Set(collector.trimmedBefore.keys) == [live])
    }
}
