import CronSchedule
import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import Testing

@Suite("sync: invariant 2 over simulated outages")
struct SyncSimulationTests {
    @Test("every due time gets exactly one decision, whatever the sync times and outages", arguments: [
        "* * * * * *", "*/7 * * * * *", "* * * * *", "*/5 9-17 * * MON-FRI", "H/3 * * * *", "0 */2 * * *",
    ])
    func exactlyOnce(expression: String) throws {
        for seed in 0..<5 {
            var random = SeededGenerator(seed: UInt64(seed + 1))
            var job = try SyncFixture(expression)
            job.spec.startingDeadlineSeconds = [0, 30, 600][seed % 3]
            var now = SyncFixture.day
            let end = SyncFixture.day + 3 * 86_400
            var decisions: [Etcron_V1_Decision] = []
            while now < end {
                let result = job.step(at: now)
                decisions += result.decisions
                for run in result.newRuns { job.finish(run.runID, .succeeded, at: now) }
                // Mostly prompt syncs at the next wake, sometimes an outage of up to 6 hours.
                let wake = Int64(result.nextWake?.timeIntervalSince1970 ?? TimeInterval(now + 60))
                now = Int.random(in: 0..<10, using: &random) == 0 ? now + Int64.random(in: 1...21_600, using: &random) : max(now + 1, wake)
            }
            let last = job.status?.decidedThroughUnix ?? SyncFixture.day
            // Expand the records into covered times and compare with the schedule.
            var covered: [Int64] = []
            for decision in decisions {
                if decision.count == 1 {
                    covered.append(decision.scheduledUnix)
                } else {
                    var cursor = CronInstant(secondsSinceEpoch: decision.rangeStartUnix - 1)
                    for _ in 0..<decision.count {
                        let next = try #require(job.schedule.next(after: cursor))
                        covered.append(next.secondsSinceEpoch)
                        cursor = next
                    }
                    #expect(covered.last == decision.scheduledUnix)
                }
            }
            var expected: [Int64] = []
            for instant in job.schedule.fireTimes(after: CronInstant(secondsSinceEpoch: SyncFixture.day)) {
                if instant.secondsSinceEpoch > last { break }
                expected.append(instant.secondsSinceEpoch)
            }
            #expect(covered == expected, "\(expression) seed \(seed): \(covered.count) covered vs \(expected.count) due")
            #expect(Set(decisions.map(\.scheduledUnix)).count == decisions.count, "a decision key was written twice")
        }
    }
}

@Suite("sync: the status as stored, across leader changes")
struct StoredStatusSimulationTests {
    @Test("a new leader that reads the lagging stored status and the runs decides every time exactly once", arguments: [
        "* * * * * *", "*/7 * * * * *", "* * * * *", "H/3 * * * *",
    ])
    func leaderChanges(expression: String) throws {
        for seed in 0..<4 {
            var random = SeededGenerator(seed: UInt64(seed + 100))
            var job = try SyncFixture(expression)
            job.spec.startingDeadlineSeconds = [0, 30][seed % 2]
            job.spec.history.succeeded = Int32(1 + seed)
            // What etcd holds: the status only as `statusToWrite` stores it.
            var stored: Etcron_V1_JobStatus?
            var writes = (status: 0, results: 0)
            var now = SyncFixture.day
            let end = SyncFixture.day + 86_400
            var decisions: [Etcron_V1_Decision] = []
            var archived: [Etcron_V1_Decision] = []
            while now < end {
                let result = job.step(at: now)
                decisions += result.decisions
                archived += result.archivedDecisions
                if !result.isEmpty { writes.results += 1 }
                if let status = result.statusToWrite {
                    stored = status
                    writes.status += 1
                }
                for run in result.newRuns where Int.random(in: 0..<4, using: &random) != 0 { job.finish(run.runID, .succeeded, at: now) }
                for run in job.runs where run.state == .pending { job.finish(run.runID, .failed, at: now) }
                // Now and then the leader changes: the new one knows only what etcd holds.
                if Int.random(in: 0..<8, using: &random) == 0 { job.status = stored }
                let wake = Int64(result.nextWake?.timeIntervalSince1970 ?? TimeInterval(now + 60))
                now = Int.random(in: 0..<20, using: &random) == 0 ? now + Int64.random(in: 1...3_600, using: &random) : max(now + 1, wake)
            }
            let times = decisions.map(\.scheduledUnix)
            #expect(Set(times).count == times.count, "\(expression) seed \(seed): a time was decided twice")
            let covered = decisions.reduce(Int64(0)) { $0 + max(1, $1.count) }
            let due = Int64(job.schedule.count(
                after: CronInstant(secondsSinceEpoch: SyncFixture.day), atOrBefore: CronInstant(secondsSinceEpoch: job.status?.decidedThroughUnix ?? 0)))
            #expect(covered == due, "\(expression) seed \(seed): \(covered) covered vs \(due) due")
            // Every decision is held exactly once: by a kept run, or in the log.
            let held = DecisionPlacement.merge(log: decisions.filter { $0.kind != .invoke } + archived, runs: job.runs)
            #expect(held.map(\.scheduledUnix) == times.sorted(), "\(expression) seed \(seed): the records held differ from the decisions made")
            #expect(writes.status < writes.results, "the status is written for invokes alone")
        }
    }
}

/// SplitMix64: a deterministic generator, so a failing simulation can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
