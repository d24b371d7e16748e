import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronTestKit
import Foundation
import SwiftProtobuf
import Testing

/// The job store against a real etcd, one test at a time.
@Suite("Job store", .serialized)
struct JobStoreTests {
    static let keys = JobKeys(prefix: "/etcron/")

    /// Starts etcd, runs `body` with a store (and the cluster, for etcdctl), always cleans up.
    func withStore(now: @escaping @Sendable () -> Date = { Date() }, _ body: (JobStore, EtcdCluster) async throws -> Void) async throws {
        try await withJobStore(keys: Self.keys, now: now, body)
    }

    /// Every key under the store's prefix.
    func allKeys(_ store: JobStore) async throws -> [String] {
        try await store.client.rangeAll(.prefix(Self.keys.base.prefix), keysOnly: true).kvs.map(\.keyString)
    }

    @Test("apply creates, then reports unchanged, then updates; server-set fields are kept")
    func applyLifecycle() async throws {
        try await withStore(now: { Date(timeIntervalSince1970: 1_700_000_000.5) }) { store, _ in
            let spec = JobFixtures.spec(schedule: "@every 10m")
            let created = try await store.apply([spec, JobFixtures.spec(name: "other")])
            #expect(created.map(\.outcome) == [.created, .created])
            #expect(created.map(\.id.description) == ["payments/settle", "payments/other"])
            let stored = try #require(try await store.get(tenant: "payments", name: "settle"))
            #expect(stored.spec.createdAtUnixMs == 1_700_000_000_500)
            #expect(stored.spec.everyAnchorUnix == 1_700_000_000)
            #expect(stored.spec.scheduleSinceUnixMs == stored.spec.createdAtUnixMs)
            #expect(stored.modRevision == created[0].revision)

            let again = try await store.apply([spec])
            #expect(again.map(\.outcome) == [.unchanged])
            #expect(try await store.get(tenant: "payments", name: "settle")?.modRevision == stored.modRevision)

            var changed = spec
            changed.schedule = "@every 5m"
            changed.everyAnchorUnix = 42  // ignored on update: the stored anchor is kept
            let updated = try await store.apply([changed])
            #expect(updated.map(\.outcome) == [.updated])
            let after = try #require(try await store.get(tenant: "payments", name: "settle"))
            #expect(after.spec.schedule == "@every 5m")
            #expect(after.spec.createdAtUnixMs == 1_700_000_000_500)
            #expect(after.spec.everyAnchorUnix == 1_700_000_000)
            #expect(after.createRevision == stored.createRevision)
            #expect(after.modRevision > stored.modRevision)
        }
    }

    @Test("an invalid apply is refused with every problem and writes nothing")
    func refuseInvalid() async throws {
        try await withStore { store, _ in
            var bad = JobFixtures.spec(name: "Bad_Name")
            bad.retry.maxRetries = 1000
            let error = try await #require(throws: JobStoreError.self) {
                try await store.apply([JobFixtures.spec(name: "fine"), bad])
            }
            #expect(error.code == .invalid)
            #expect(error.problems.map(\.field) == ["jobs[1].name", "jobs[1].retry.maxRetries"])
            #expect(try await allKeys(store).isEmpty, "the valid job of the batch was not written either")
        }
    }

    @Test("concurrent applies of one job all succeed: one creates, the rest update or find it unchanged")
    func concurrentApplies() async throws {
        try await withStore { store, _ in
            let outcomes = try await withThrowingTaskGroup(of: JobApplyResult.Outcome.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        var spec = JobFixtures.spec()
                        spec.description_p = "writer \(index % 4)"
                        return try await store.apply([spec])[0].outcome
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .created }.count == 1)
            #expect(outcomes.count == 8)
            #expect(try await store.list().jobs.count == 1)
        }
    }

    @Test("delete removes the spec and pending triggers; decisions, runs and status stay readable")
    func deleteKeepsHistory() async throws {
        try await withStore { store, _ in
            _ = try await store.apply([JobFixtures.spec()])
            var decision = Etcron_V1_Decision()
            decision.scheduledUnix = 1_700_000_100
            decision.kind = .invoke
            decision.runID = "r1"
            try await store.client.put(Self.keys.decision("payments", "settle", scheduledUnix: 1_700_000_100), value: try decision.serializedBytes())
            var run = Etcron_V1_Run()
            run.runID = "r1"
            run.state = .succeeded
            try await store.client.put(Self.keys.run("payments", "settle", runID: "r1"), value: try run.serializedBytes())
            try await store.client.put(Self.keys.status("payments", "settle"), value: try Etcron_V1_JobStatus().serializedBytes())
            _ = try await store.trigger(tenant: "payments", name: "settle")

            #expect(try await store.delete(tenant: "payments", name: "settle"))
            #expect(try await store.get(tenant: "payments", name: "settle") == nil)
            #expect(try await store.list().jobs.isEmpty)
            let remaining = try await allKeys(store)
            #expect(remaining == [
                Self.keys.decision("payments", "settle", scheduledUnix: 1_700_000_100),
                Self.keys.run("payments", "settle", runID: "r1"),
                Self.keys.status("payments", "settle"),
                Self.keys.tenantIndex("payments"),
            ])
            #expect(try await store.decisions(tenant: "payments", name: "settle").values == [decision])
            #expect(try await store.runs(tenant: "payments", name: "settle").values == [run])
            #expect(try await store.delete(tenant: "payments", name: "settle") == false)
        }
    }

    @Test("trigger writes a time-sortable request only if the job exists")
    func trigger() async throws {
        try await withStore(now: { Date(timeIntervalSince1970: 1_700_000_000.25) }) { store, _ in
            let missing = try await #require(throws: JobStoreError.self) {
                try await store.trigger(tenant: "payments", name: "settle", note: "now")
            }
            #expect(missing.code == .notFound)
            #expect(missing.message == "job payments/settle not found; nothing was triggered")
            #expect(try await allKeys(store).isEmpty)

            _ = try await store.apply([JobFixtures.spec()])
            let first = try await store.trigger(tenant: "payments", name: "settle", note: "catch up", requestedBy: "alice@host")
            let second = try await store.trigger(tenant: "payments", name: "settle")
            #expect(first.hasPrefix("1700000000250-"))
            #expect(first.count == 22 && first != second)
            let kv = try #require(try await store.client.get(Self.keys.triggers("payments", "settle") + first))
            let request = try Etcron_V1_ManualTrigger(serializedBytes: kv.value)
            #expect(request.note == "catch up")
            #expect(request.requestedBy == "alice@host")
            #expect(request.requestedAtUnixMs == 1_700_000_000_250)
            #expect(try await store.describe(tenant: "payments", name: "settle").pendingTriggers == 2)
        }
    }

    @Test("suspend and resume change only the suspend flag, recording the change and its time; a missing job is not found")
    func suspendResume() async throws {
        try await withStore { store, _ in
            _ = try await store.apply([JobFixtures.spec()])
            #expect(try await store.setSuspended(tenant: "payments", name: "settle", true).outcome == .updated)
            #expect(try await store.setSuspended(tenant: "payments", name: "settle", true).outcome == .unchanged)
            #expect(try await store.get(tenant: "payments", name: "settle")?.spec.suspend == true)
            #expect(try await store.setSuspended(tenant: "payments", name: "settle", false).outcome == .updated)
            var expected = JobFixtures.spec()
            let stored = try #require(try await store.get(tenant: "payments", name: "settle"))
            expected.createdAtUnixMs = stored.spec.createdAtUnixMs
            expected.everyAnchorUnix = stored.spec.everyAnchorUnix
            #expect(stored.spec.scheduleSinceUnixMs == stored.spec.createdAtUnixMs, "the schedule never changed")
            expected.scheduleSinceUnixMs = stored.spec.scheduleSinceUnixMs
            #expect(stored.spec.lastSuspendChange.suspended == false && stored.spec.lastSuspendChange.by.isEmpty, "the resume, by no token")
            #expect(stored.spec.updatedAtUnixMs >= stored.spec.createdAtUnixMs)
            expected.updatedAtUnixMs = stored.spec.updatedAtUnixMs
            expected.lastSuspendChange = stored.spec.lastSuspendChange
            #expect(stored.spec == expected)
            let missing = try await #require(throws: JobStoreError.self) {
                try await store.setSuspended(tenant: "payments", name: "nope", true)
            }
            #expect(missing.code == .notFound)
        }
    }

    @Test("the tenant quota refuses an apply past the limit, naming tenant, limit and count, and writes nothing")
    func quota() async throws {
        try await withStore { store, _ in
            try await store.setQuota(.default, maxJobs: 2)
            try await store.setQuota(.tenant("big"), maxJobs: 5)
            _ = try await store.apply([JobFixtures.spec(name: "a")])
            let error = try await #require(throws: JobStoreError.self) {
                try await store.apply([JobFixtures.spec(name: "a"), JobFixtures.spec(name: "b"), JobFixtures.spec(name: "c")])
            }
            #expect(error.code == .quotaExceeded)
            #expect(error.message == #"tenant "payments" would have 3 jobs (1 stored + 2 new); its limit is 2; nothing was applied"#)
            #expect(try await store.list().jobs.map(\.id.name) == ["a"])
            // Updates do not count; another tenant has its own override.
            var update = JobFixtures.spec(name: "a")
            update.suspend = true
            #expect(try await store.apply([update, JobFixtures.spec(name: "b")]).map(\.outcome) == [.updated, .created])
            let big = (1...5).map { JobFixtures.spec(tenant: "big", name: "j\($0)") }
            #expect(try await store.apply(big).count == 5)
        }
    }

    @Test("a corrupt spec written with etcdctl is skipped by list and reported; get names it")
    func corruptSpec() async throws {
        try await withStore { store, cluster in
            _ = try await store.apply([JobFixtures.spec(name: "good")])
            try await cluster.etcdctl("put", Self.keys.spec("payments", "broken"), "garbage")
            // A decodable spec under another job's key is corrupt too.
            let misplaced = try JobFixtures.spec(name: "elsewhere").serializedBytes() as Data
            try await store.client.put(Self.keys.spec("payments", "moved"), value: misplaced)
            try await cluster.etcdctl("put", Self.keys.decision("payments", "good", scheduledUnix: 5), "garbage")
            try await cluster.etcdctl("put", Self.keys.run("payments", "good", runID: "r"), "garbage")

            let list = try await store.list(tenant: "payments")
            #expect(list.jobs.map(\.id.name) == ["good"])
            #expect(list.corrupt.map(\.key) == [Self.keys.spec("payments", "broken"), Self.keys.spec("payments", "moved")])
            #expect(list.corrupt[1].reason == #"names job "payments/elsewhere", not payments/moved"#)
            let error = try await #require(throws: JobStoreError.self) { try await store.get(tenant: "payments", name: "broken") }
            #expect(error.code == .corruptRecord)
            #expect(error.message.contains(Self.keys.spec("payments", "broken")))
            // Scheduled runs hold their invokes' decisions, so a corrupt one is reported
            // with them ("r" is no scheduled run's ID, so it holds none).
            let scheduledRun = Self.keys.run("payments", "good", runID: RunID.scheduled(tenant: "payments", job: "good", scheduledUnix: 7))
            try await cluster.etcdctl("put", scheduledRun, "garbage")
            let decisions = try await store.decisions(tenant: "payments", name: "good")
            #expect(decisions.records.isEmpty)
            #expect(decisions.corrupt.map(\.key) == [Self.keys.decision("payments", "good", scheduledUnix: 5), scheduledRun])
            let description = try await store.describe(tenant: "payments", name: "good")
            #expect(description.corrupt.map(\.key) == [
                Self.keys.decision("payments", "good", scheduledUnix: 5), Self.keys.run("payments", "good", runID: "r"), scheduledRun,
            ])
        }
    }

    @Test("listing every tenant reads tenant by tenant from the tenant index, which creates fill in; an empty index lists the whole prefix")
    func tenantIndexPages() async throws {
        try await withStore { store, _ in
            // Written straight into etcd, before any index entry: the whole prefix is read.
            var raw = JobFixtures.spec(tenant: "zeta", name: "raw")
            raw.createdAtUnixMs = 1
            _ = try await store.client.put(Self.keys.spec("zeta", "raw"), value: try raw.serializedBytes())
            #expect(try await store.page(tenants: nil, after: nil, limit: 10).jobs.map(\.id.name) == ["raw"])

            _ = try await store.apply(["alpha", "beta", "gamma"].flatMap { tenant in
                ["a", "b"].map { JobFixtures.spec(tenant: tenant, name: $0) }
            })
            #expect(try await store.client.rangeAll(.prefix(Self.keys.tenantIndex), keysOnly: true).kvs.map(\.keyString)
                == ["alpha", "beta", "gamma"].map(Self.keys.tenantIndex))
            var names: [String] = []
            var after: String?
            repeat {
                let page = try await store.page(tenants: nil, after: after, limit: 4)
                names += page.jobs.map { "\($0.id)" }
                after = page.nextAfterKey
            } while after != nil
            // zeta is not indexed (a leader fills it in when it loads the jobs).
            #expect(names == ["alpha/a", "alpha/b", "beta/a", "beta/b", "gamma/a", "gamma/b"])
            _ = try await store.client.put(Self.keys.tenantIndex("zeta"), value: Data())
            #expect(try await store.page(tenants: nil, after: Self.keys.spec("gamma", "b"), limit: 4).jobs.map(\.id.name) == ["raw"])
        }
    }

    @Test("a change of schedule or zone keeps the schedule it replaced, with when it applied, for audits of past windows")
    func scheduleHistory() async throws {
        try await withStore { store, _ in
            var spec = JobFixtures.spec(schedule: "*/5 * * * *")
            _ = try await store.apply([spec])
            let created = try #require(try await store.get(tenant: spec.tenant, name: spec.name)).spec
            #expect(created.scheduleHistory.isEmpty)
            spec.schedule = "*/10 * * * *"
            _ = try await store.apply([spec])
            spec.description_p = "same schedule, other description"
            _ = try await store.apply([spec])
            let changed = try #require(try await store.get(tenant: spec.tenant, name: spec.name)).spec
            #expect(changed.scheduleHistory.count == 1)
            let era = try #require(changed.scheduleHistory.first)
            #expect(era.schedule == "*/5 * * * *" && era.sinceUnixMs == created.createdAtUnixMs)
            #expect(era.untilUnixMs == changed.scheduleSinceUnixMs && era.untilUnixMs >= created.createdAtUnixMs)
            let eras = ScheduleEra.of(changed)
            #expect(eras.map(\.expression) == ["*/5 * * * *", "*/10 * * * *"] && eras[0].through == eras[1].after)
        }
    }

    @Test("a 253-character tenant and name work end to end; 254 is refused")
    func longNames() async throws {
        try await withStore { store, _ in
            let longest = JobFixtures.longName(253)
            let spec = JobFixtures.spec(tenant: longest, name: longest, schedule: "H * * * *")
            #expect(try await store.apply([spec]).map(\.outcome) == [.created])
            #expect(try await store.get(tenant: longest, name: longest)?.spec.name == longest)
            #expect(try await store.list(tenant: longest).jobs.map(\.id) == [JobID(tenant: longest, name: longest)])
            #expect(try await allKeys(store) == [Self.keys.spec(longest, longest), Self.keys.tenantIndex(longest)])
            _ = try await store.trigger(tenant: longest, name: longest)
            #expect(try await store.describe(tenant: longest, name: longest).pendingTriggers == 1)
            #expect(try await store.delete(tenant: longest, name: longest))

            let tooLong = JobFixtures.longName(254)
            let refused = try await #require(throws: JobStoreError.self) {
                try await store.apply([JobFixtures.spec(tenant: longest, name: tooLong)])
            }
            #expect(refused.problems.map(\.field) == ["name"])
            let lookup = try await #require(throws: JobStoreError.self) { try await store.get(tenant: longest, name: tooLong) }
            #expect(lookup.code == .invalidArgument)
        }
    }

    @Test("list reads many jobs with history page by page, by tenant and name; history reads newest first")
    func listAndHistory() async throws {
        try await withStore { store, _ in
            let specs = (0..<300).map { JobFixtures.spec(tenant: $0 % 2 == 0 ? "even" : "odd", name: String(format: "job-%03d", $0)) }
            _ = try await store.apply(specs)
            for time in 1...12 {
                var decision = Etcron_V1_Decision()
                decision.scheduledUnix = Int64(time * 60)
                try await store.client.put(Self.keys.decision("even", "job-000", scheduledUnix: Int64(time * 60)), value: try decision.serializedBytes())
            }
            // Run IDs that do not sort by time: newest is by creation.
            for id in ["zz", "aa", "mm"] {
                var run = Etcron_V1_Run()
                run.runID = id
                try await store.client.put(Self.keys.run("even", "job-000", runID: id), value: try run.serializedBytes())
            }
            let all = try await store.list()
            #expect(all.jobs.count == 300 && all.corrupt.isEmpty)
            #expect(all.jobs.map(\.id) == all.jobs.map(\.id).sorted())
            #expect(try await store.list(tenant: "odd").jobs.count == 150)
            #expect(try await store.list(tenant: "none").jobs.isEmpty)
            let decisions = try await store.decisions(tenant: "even", name: "job-000", limit: 10)
            #expect(decisions.values.map(\.scheduledUnix) == (3...12).reversed().map { Int64($0 * 60) })
            #expect(try await store.runs(tenant: "even", name: "job-000", limit: 2).values.map(\.runID) == ["mm", "aa"])
            let description = try await store.describe(tenant: "even", name: "job-000", limit: 10)
            #expect(description.decisions.count == 10 && description.runs.map(\.value.runID) == ["mm", "aa", "zz"])
            #expect(description.status == nil)
            let badLimit = try await #require(throws: JobStoreError.self) { try await store.runs(tenant: "even", name: "job-000", limit: 0) }
            #expect(badLimit.message == "limit: must be from 1 to 1000, not 0")
        }
    }
}
