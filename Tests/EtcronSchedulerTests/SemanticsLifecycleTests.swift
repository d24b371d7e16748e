import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import Testing

extension SemanticsProcessTests {
    /// When a change was written: the wall clock just before the write and just after its
    /// acknowledgement, both in the middle of the same second.
    struct Change {
        var beforeMs: Int64
        var afterMs: Int64
        /// The second it was made in: its scheduled time was decided before it.
        var second: Int64 { afterMs / 1000 }

        static func make(_ write: () async throws -> Void) async throws -> Change {
            let before = Wall.nowMs
            try await write()
            return Change(beforeMs: before, afterMs: Wall.nowMs)
        }
    }

    @Test("suspend and resume, spec changes take effect at once, delete and re-create, corrupt records are reported while other jobs run on")
    func lifecycle() async throws {
        try await SemanticsHarness.run(replicas: 1) { h in
            let tenant = SemanticsHarness.tenant
            let envFile = h.scratch + "/env"
            try await h.apply(
                SemanticsHarness.job("steady", "* * * * * *", script: Self.envScript(envFile)) { $0.history.succeeded = 3 },
                SemanticsHarness.job("pausing", "* * * * * *"),
                SemanticsHarness.job("changing", "* * * * * *"),
                SemanticsHarness.job("deleted", "* * * * * *"))
            let created = try await h.createdUnix("steady", "pausing", "changing", "deleted")
            try await Self.putCorruptRecords(h)

            try await Task.sleep(for: .seconds(2))
            try await SemanticsHarness.sleepToMidSecond()
            let suspended = try await Change.make { try await h.store.setSuspended(tenant: tenant, name: "pausing", true) }
            let yearly = try await Change.make { try await h.apply(SemanticsHarness.job("changing", "0 0 0 1 1 *")) }
            let deleted = try await Change.make { try await h.store.delete(tenant: tenant, name: "deleted") }
            #expect(try await h.store.get(tenant: tenant, name: "deleted") == nil)
            let keptDecisions = try await h.store.decisions(tenant: tenant, name: "deleted").records
            let keptRuns = try await h.store.runs(tenant: tenant, name: "deleted").records
            #expect(!keptDecisions.isEmpty && !keptRuns.isEmpty, "a deleted job's history stays readable")

            try await Task.sleep(for: .seconds(2))
            try await SemanticsHarness.sleepToMidSecond()
            let resumed = try await Change.make { try await h.store.setSuspended(tenant: tenant, name: "pausing", false) }
            let everySecond = try await Change.make { try await h.apply(SemanticsHarness.job("changing", "* * * * * *")) }
            let recreated = try await Change.make { try await h.apply(SemanticsHarness.job("deleted", "* * * * * *")) }

            try await Task.sleep(for: .seconds(3))
            let end = Wall.nowUnix - 1
            try await h.store.setSuspended(tenant: tenant, name: "steady", true)

            try await checkSuspend(h, created: created, end: end, suspended: suspended, resumed: resumed)
            try await checkSpecChange(h, created: created, end: end, yearly: yearly, everySecond: everySecond)
            try await checkRecreate(h, created: created, end: end, deleted: deleted, recreated: recreated)
            try await checkCorruptRecords(h)
            try await checkEnvironmentAndHistory(h, created: created, end: end, envFile: envFile)
        }
    }

    /// What is decided between the suspend and the resume is a `suspended` skip; runs go
    /// on before and after. (Judged by decision time, so a slow leader cannot make it flaky.)
    private func checkSuspend(_ h: SemanticsHarness, created: Int64, end: Int64, suspended: Change, resumed: Change) async throws {
        try await h.audit("pausing", "* * * * * *", after: created, through: end)
        let decisions = try await h.decisions("pausing").filter { $0.scheduledUnix <= end }
        print("pausing (suspended in \(suspended.second % 100), resumed in \(resumed.second % 100)): \(decisions.map(\.summary))")
        let during = decisions.filter { $0.decidedAtUnixMs > suspended.afterMs && $0.decidedAtUnixMs < resumed.beforeMs }
        #expect(during.reduce(0) { $0 + $1.count } >= 2)
        #expect(during.allSatisfy { $0.kind == .skip && $0.reason == .suspended }, "\(during.map(\.summary))")
        #expect(decisions.filter { $0.decidedAtUnixMs < suspended.beforeMs }.allSatisfy { $0.kind == .invoke })
        let after = decisions.filter { $0.decidedAtUnixMs > resumed.afterMs }
        #expect(after.count >= 2 && after.allSatisfy { $0.kind == .invoke }, "\(after.map(\.summary))")
    }

    /// A schedule change is followed at once: nothing is decided while the job is yearly,
    /// and the every-second schedule is decided from the moment it is written.
    private func checkSpecChange(_ h: SemanticsHarness, created: Int64, end: Int64, yearly: Change, everySecond: Change) async throws {
        let decisions = try await h.decisions("changing").filter { $0.scheduledUnix <= end }
        print("changing (yearly in \(yearly.second % 100), every second in \(everySecond.second % 100)): \(decisions.map(\.summary))")
        let whileYearly = decisions.filter { $0.decidedAtUnixMs > yearly.afterMs && $0.decidedAtUnixMs < everySecond.beforeMs }
        #expect(whileYearly.isEmpty, "decided under the replaced schedule: \(whileYearly.map(\.summary))")
        #expect(decisions.filter { $0.scheduledUnix <= yearly.second }.allSatisfy { $0.kind == .invoke })
        let reaction = try #require(decisions.filter { $0.decidedAtUnixMs >= everySecond.beforeMs }.map(\.decidedAtUnixMs).min())
            - everySecond.beforeMs
        let next = decisions.filter { $0.scheduledUnix > everySecond.second }
        let lags = next.map { $0.decidedAtUnixMs - $0.scheduledUnix * 1000 }
        print("spec change: first decision \(reaction) ms after the write; decision lag of the new schedule's times \(lags) ms")
        #expect(reaction < 1000)
        #expect(next.count >= 2 && next.allSatisfy { $0.kind == .invoke })
        #expect(lags.allSatisfy { $0 < 1000 })
        try await h.audit("changing", "* * * * * *", after: everySecond.second, through: end)
    }

    /// Deleting stops decisions at once; the job created again is scheduled from its new
    /// creation (no catch-up of the time it did not exist).
    private func checkRecreate(_ h: SemanticsHarness, created: Int64, end: Int64, deleted: Change, recreated: Change) async throws {
        let decisions = try await h.decisions("deleted").filter { $0.scheduledUnix <= end }
        print("deleted (in \(deleted.second % 100), created again in \(recreated.second % 100)): \(decisions.map(\.summary))")
        try await h.audit("deleted", "* * * * * *", after: created, through: deleted.second - 1)
        #expect(decisions.allSatisfy { $0.scheduledUnix <= deleted.second || $0.scheduledUnix > recreated.second })
        let newCreation = try await h.spec("deleted").createdAtUnixMs / 1000
        #expect(newCreation == recreated.second)
        try await h.audit("deleted", "* * * * * *", after: newCreation, through: end)
        let after = decisions.filter { $0.scheduledUnix > recreated.second }
        #expect(after.count >= 2 && after.allSatisfy { $0.kind == .invoke && $0.count == 1 })
    }
}
