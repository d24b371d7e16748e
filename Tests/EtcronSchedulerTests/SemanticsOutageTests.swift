import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import Testing

extension SemanticsProcessTests {
    @Test("after an outage of every replica the missed times are one counted missedDeadline record, only the latest runs, and no time goes undecided")
    func catchUpAfterOutage() async throws {
        try await SemanticsHarness.run(replicas: 1) { h in
            try await h.apply(
                SemanticsHarness.job("catch-up", "* * * * * *") { $0.startingDeadlineSeconds = 2 },
                SemanticsHarness.job("catch-up-even", "*/2 * * * * *"))
            let created = try await h.createdUnix("catch-up", "catch-up-even")
            try await Task.sleep(for: .seconds(3))
            let replica = h.group.replicas[0]
            let killedMs = Wall.nowMs
            await replica.process.kill()
            try await Task.sleep(for: .seconds(5))
            let restartedMs = Wall.nowMs
            try await replica.process.restart()
            _ = try await h.group.waitForLeader()
            try await Task.sleep(for: .seconds(3))
            let end = Wall.nowUnix - 1
            try await h.eventually("the runs up to the end to finish") {
                let runs = try await h.runs("catch-up") + h.runs("catch-up-even")
                return runs.contains { $0.isActive && $0.scheduledUnix <= end } ? nil : true
            }
            for (name, schedule) in [("catch-up", "* * * * * *"), ("catch-up-even", "*/2 * * * * *")] {
                try await checkCatchUp(h, name, schedule, created: created, end: end, killedMs: killedMs, restartedMs: restartedMs)
            }
        }
    }

    /// One missedDeadline record covers the outage; it was written after the restart, and
    /// the time after its range (the most recent when the leader came back) was invoked.
    private func checkCatchUp(
        _ h: SemanticsHarness, _ name: String, _ schedule: String, created: Int64, end: Int64, killedMs: Int64, restartedMs: Int64
    ) async throws {
        try await h.audit(name, schedule, after: created, through: end)
        let decisions = try await h.decisions(name).filter { $0.scheduledUnix <= end }
        print("\(name) (killed in \(killedMs / 1000 % 100), restarted in \(restartedMs / 1000 % 100)): \(decisions.map(\.summary))")
        let step: Int64 = schedule.hasPrefix("*/2") ? 2 : 1
        let skips = decisions.filter { $0.kind == .skip }
        #expect(skips.count == 1, "one record for the outage: \(skips.map(\.summary))")
        let range = try #require(skips.first)
        #expect(range.reason == .missedDeadline)
        #expect(range.count == (range.scheduledUnix - range.rangeStartUnix) / step + 1)
        #expect(range.count >= (step == 1 ? 4 : 1), "the outage lasted 5 s")
        #expect(range.message.contains("\(range.count) scheduled time(s)"), "\(range.message)")
        #expect(range.decidedAtUnixMs >= restartedMs, "recorded by the leader that came back")
        // From the first time after the last one decided before the kill, to the one before
        // the most recent when the leader came back.
        #expect(range.rangeStartUnix >= killedMs / 1000 - step + 1 && range.rangeStartUnix <= killedMs / 1000 + step)
        #expect(range.scheduledUnix >= restartedMs / 1000 - 2 * step + 1 && range.scheduledUnix * 1000 < range.decidedAtUnixMs)
        // The most recent missed time runs: it is the next decision, an invoke.
        let next = try #require(decisions.first { $0.scheduledUnix > range.scheduledUnix })
        #expect(next.scheduledUnix == range.scheduledUnix + step)
        #expect(next.kind == .invoke, "\(next.summary): \(next.message)")
        #expect(next.decidedAtUnixMs == range.decidedAtUnixMs, "decided together")
        let runs = try await h.runs(name)
        #expect(runs.first { $0.runID == next.runID }?.state == .succeeded)
        // The job did not hang: every time after the catch-up was decided, and invoked.
        let after = decisions.filter { $0.scheduledUnix > next.scheduledUnix }
        #expect(!after.isEmpty && after.allSatisfy { $0.kind == .invoke })
        // A run caught by the kill ended as executor-lost, never pending or running forever.
        #expect(runs.filter { $0.scheduledUnix <= end }.allSatisfy { !$0.isActive })
    }
}
