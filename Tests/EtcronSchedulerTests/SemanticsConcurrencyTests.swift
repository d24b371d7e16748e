import EtcronCore
import EtcronProto
import EtcronScheduler
import Foundation
import Testing

extension SemanticsProcessTests {
    @Test("Forbid skips while a run, manual ones included, is active, and its runs never overlap; Replace stops the running one before the next starts")
    func concurrencyPolicies() async throws {
        try await SemanticsHarness.run(replicas: 1) { h in
            let tenant = SemanticsHarness.tenant
            try await h.apply(
                SemanticsHarness.job("forbid", "* * * * * *", policy: .forbid, script: "sleep 3"),
                SemanticsHarness.job("forbid-manual", "* * * * * *", policy: .forbid, script: "sleep 3") { $0.suspend = true },
                SemanticsHarness.job("replace", "*/3 * * * * *", policy: .replace, script: "trap 'exit 143' TERM; sleep 30 & wait"),
                // Takes 2 s to stop, so later times come while it is still stopping.
                SemanticsHarness.job("replace-slow", "* * * * * *", policy: .replace, script: "trap 'sleep 2; exit 143' TERM; sleep 30 & wait"))
            let created = try await h.createdUnix("forbid", "forbid-manual", "replace", "replace-slow")

            // A manual run of the suspended Forbid job; resumed while that run is active,
            // the job's scheduled times are skipped until it ends.
            let triggeredMs = Wall.nowMs
            _ = try await h.store.trigger(tenant: tenant, name: "forbid-manual", note: "semantics")
            let manual = try #require(try await h.eventually("the manual run to start") {
                try await h.runs("forbid-manual").first { $0.manual && $0.state == .running }
            })
            let reaction = manual.createdAtUnixMs - triggeredMs
            print("manual trigger: run created \(reaction) ms and started \(manual.startedAtUnixMs - triggeredMs) ms after the trigger was written")
            #expect(reaction < 1000 && manual.note == "semantics")
            try await SemanticsHarness.sleepToMidSecond()
            try await h.store.setSuspended(tenant: tenant, name: "forbid-manual", false)
            let resumedMs = Wall.nowMs

            try await Task.sleep(for: .seconds(8))
            let end = Wall.nowUnix - 1
            for name in ["forbid", "forbid-manual", "replace", "replace-slow"] {
                try await h.store.setSuspended(tenant: tenant, name: name, true)
            }
            try await h.eventually("the Forbid runs to finish") {
                let active = try await h.runs("forbid") + h.runs("forbid-manual")
                return active.contains(where: \.isActive) ? nil : true
            }

            try await checkForbid(h, created: created, end: end)
            try await checkForbidManual(h, manualID: manual.runID, resumedMs: resumedMs)
            try await checkReplace(h, "replace", created: created, end: end)
            try await checkReplace(h, "replace-slow", created: created, end: end)
        }
    }

    /// Forbid: at least one invoke and one skip, every skip names a run that was active
    /// when it was decided, and one run starts only after the previous one finished.
    private func checkForbid(_ h: SemanticsHarness, created: Int64, end: Int64) async throws {
        try await h.audit("forbid", "* * * * * *", after: created, through: end)
        let decisions = try await h.decisions("forbid").filter { $0.scheduledUnix <= end }
        let runs = try await h.runs("forbid")
        let byID = Dictionary(uniqueKeysWithValues: runs.map { ($0.runID, $0) })
        let skips = decisions.filter { $0.kind == .skip }
        print("forbid: \(decisions.map(\.summary))")
        #expect(decisions.filter { $0.kind == .invoke }.count >= 2)
        #expect(skips.count >= 4)
        for skip in skips {
            #expect(skip.reason == .concurrencyPolicy, "\(skip.summary): \(skip.message)")
            let blocking = try #require(Self.blockingRun(skip.message).flatMap { byID[$0] }, "\(skip.message)")
            #expect(blocking.createdAtUnixMs <= skip.decidedAtUnixMs && skip.decidedAtUnixMs <= blocking.finishedAtUnixMs)
        }
        let started = runs.filter { $0.startedAtUnixMs > 0 }.sorted { $0.startedAtUnixMs < $1.startedAtUnixMs }
        #expect(started.allSatisfy { $0.state == .succeeded })
        for (earlier, later) in zip(started, started.dropFirst()) {
            #expect(later.startedAtUnixMs >= earlier.finishedAtUnixMs, "\(later.runID) started while \(earlier.runID) ran")
        }
    }

    /// A manual run counts for Forbid: times decided while it was active are skipped,
    /// naming it, and the first scheduled run starts after it finished.
    private func checkForbidManual(_ h: SemanticsHarness, manualID: String, resumedMs: Int64) async throws {
        let runs = try await h.runs("forbid-manual")
        let manual = try #require(runs.first { $0.runID == manualID })
        #expect(manual.state == .succeeded)
        let decisions = try await h.decisions("forbid-manual")
        let whileManual = decisions.filter { $0.decidedAtUnixMs > resumedMs && $0.decidedAtUnixMs < manual.finishedAtUnixMs }
        print("forbid-manual: \(decisions.map(\.summary)); manual run \(manual.startedAtUnixMs % 100_000)-\(manual.finishedAtUnixMs % 100_000), resumed \(resumedMs % 100_000)")
        #expect(!whileManual.isEmpty)
        for decision in whileManual {
            #expect(decision.reason == .concurrencyPolicy && decision.message.contains(manualID), "\(decision.summary): \(decision.message)")
        }
        let scheduled = runs.filter { !$0.manual && $0.startedAtUnixMs > 0 }
        #expect(!scheduled.isEmpty, "the job ran again after the manual run")
        #expect(scheduled.allSatisfy { $0.startedAtUnixMs >= manual.finishedAtUnixMs })
    }

    /// Replace: every run that started, but the last, was stopped, within its stop time,
    /// before the next one started; runs replaced while still waiting never started.
    private func checkReplace(_ h: SemanticsHarness, _ name: String, created: Int64, end: Int64) async throws {
        let spec = try await h.spec(name)
        try await h.audit(name, spec.schedule, after: created, through: end)
        let decisions = try await h.decisions(name).filter { $0.scheduledUnix <= end }
        #expect(decisions.allSatisfy { $0.kind == .invoke }, "\(decisions.map(\.summary))")
        let runs = try await h.runs(name).filter { $0.scheduledUnix <= end }.sorted { $0.scheduledUnix < $1.scheduledUnix }
        let started = runs.filter { $0.startedAtUnixMs > 0 }
        print("\(name): \(runs.map { "\($0.scheduledUnix % 100) \($0.state) \($0.startedAtUnixMs % 100_000)-\($0.finishedAtUnixMs % 100_000)" })")
        #expect(started.count >= 2)
        for (earlier, later) in zip(started, started.dropFirst()) {
            #expect(earlier.state == .stopped, "\(earlier.runID): \(earlier.state) \(earlier.message)")
            #expect(earlier.message.hasPrefix("Replace: stop requested"), "\(earlier.message)")
            #expect(earlier.finishedAtUnixMs - earlier.startedAtUnixMs < 5000, "\(earlier.runID) ran on after it was replaced")
            #expect(later.startedAtUnixMs >= earlier.finishedAtUnixMs, "\(later.runID) started before \(earlier.runID) stopped")
        }
        for run in runs where run.startedAtUnixMs == 0 && run.scheduledUnix < end - 1 {
            #expect(run.state == .stopped && run.message.contains("before it started"), "\(run.runID): \(run.state) \(run.message)")
        }
        let stillActive = runs.filter(\.isActive)
        #expect(stillActive.count <= 2, "runs pile up: \(stillActive.map(\.runID))")
    }

    /// The run a Forbid skip names: "Forbid: run <id> is still running".
    static func blockingRun(_ message: String) -> String? {
        let words = message.split(separator: " ")
        guard let index = words.firstIndex(of: "run"), index + 1 < words.count else { return nil }
        return String(words[index + 1])
    }
}
