import EtcdClient
import EtcdTestHarness
import EtcronCore
import EtcronProto
import EtcronTestKit
import Foundation
import SwiftProtobuf
import Testing

/// Quota records through the job store, and the apply's quota check, against a real etcd.
@Suite("Quota store", .serialized)
struct QuotaStoreTests {
    static let keys = JobKeys(prefix: "/etcron/")

    /// Starts etcd, runs `body` with a store (and the cluster, for etcdctl), always cleans up.
    func withStore(now: @escaping @Sendable () -> Date = { Date() }, _ body: (JobStore, EtcdCluster) async throws -> Void) async throws {
        try await withJobStore(keys: Self.keys, now: now, body)
    }

    @Test("set creates, keeps limits not given, reports unchanged; get, list and delete")
    func lifecycle() async throws {
        try await withStore(now: { Date(timeIntervalSince1970: 1_700_000_000.5) }) { store, _ in
            #expect(try await store.quota(.tenant("payments")) == nil)
            #expect(try await store.quotas().quotas.isEmpty)

            let created = try await store.setQuota(.tenant("payments"), maxJobs: 10, note: "agreed in ticket 42")
            #expect(created.outcome == .created)
            #expect(created.stored.quota.maxJobs == 10 && created.stored.quota.maxRunningRuns == 0)
            #expect(created.stored.quota.updatedAtUnixMs == 1_700_000_000_500)
            let updated = try await store.setQuota(.tenant("payments"), maxRunningRuns: 3)
            #expect(updated.outcome == .updated)
            let stored = try #require(try await store.quota(.tenant("payments")))
            #expect(stored.scope == .tenant("payments"))
            #expect(stored.quota.maxJobs == 10, "a limit not given keeps its stored value")
            #expect(stored.quota.maxRunningRuns == 3 && stored.quota.note == "agreed in ticket 42")
            #expect(stored.modRevision == updated.stored.modRevision)
            let again = try await store.setQuota(.tenant("payments"), maxJobs: 10, maxRunningRuns: 3)
            #expect(again.outcome == .unchanged && again.stored.modRevision == stored.modRevision)

            try await store.setQuota(.default, maxJobs: 100)
            try await store.setQuota(.tenant("analytics"), maxJobs: 0, maxRunningRuns: 1)
            let list = try await store.quotas()
            #expect(list.quotas.map(\.scope) == [.default, .tenant("analytics"), .tenant("payments")])
            #expect(list.corrupt.isEmpty && list.revision >= stored.modRevision)
            #expect(list.book.maxJobs(forTenant: "other") == 100)
            #expect(list.book.maxJobs(forTenant: "analytics") == nil)
            let keys = try await store.client.rangeAll(.prefix(Self.keys.quotas), keysOnly: true).kvs.map(\.keyString)
            #expect(keys == ["/etcron/quotas/*", "/etcron/quotas/analytics", "/etcron/quotas/payments"])

            #expect(try await store.deleteQuota(.tenant("payments")))
            #expect(try await store.deleteQuota(.tenant("payments")) == false)
            #expect(try await store.quota(.tenant("payments")) == nil)
            #expect(try await store.deleteQuota(.default))
            #expect(try await store.quotas().quotas.map(\.scope) == [.tenant("analytics")])
        }
    }

    @Test("the apply refuses past max_jobs read from etcd at apply time; the tenant's record wins over the default")
    func applyRefusal() async throws {
        try await withStore { store, _ in
            try await store.setQuota(.default, maxJobs: 2)
            try await store.setQuota(.tenant("big"), maxJobs: 5)
            _ = try await store.apply([JobFixtures.spec(name: "a"), JobFixtures.spec(name: "b")])
            let error = try await #require(throws: JobStoreError.self) {
                try await store.apply([JobFixtures.spec(name: "c")])
            }
            #expect(error.code == .quotaExceeded)
            #expect(error.message == #"tenant "payments" would have 3 jobs (2 stored + 1 new); its limit is 2; nothing was applied"#)
            #expect(try await store.list(tenant: "payments").jobs.count == 2)
            // Five for big, whose own record replaces the default's 2.
            #expect(try await store.apply((1...5).map { JobFixtures.spec(tenant: "big", name: "j\($0)") }).count == 5)
            let big = try await #require(throws: JobStoreError.self) { try await store.apply([JobFixtures.spec(tenant: "big", name: "j6")]) }
            #expect(big.message.contains(#"tenant "big" would have 6 jobs (5 stored + 1 new); its limit is 5"#))

            // Raised at runtime: the next apply sees it, no restart.
            try await store.setQuota(.default, maxJobs: 3)
            #expect(try await store.apply([JobFixtures.spec(name: "c")]).map(\.outcome) == [.created])
            // Lifted with 0; deleting the tenant's record falls back to the default.
            try await store.setQuota(.default, maxJobs: 0)
            #expect(try await store.apply([JobFixtures.spec(name: "d"), JobFixtures.spec(name: "e")]).count == 2)
            try await store.setQuota(.default, maxJobs: 5)
            #expect(try await store.deleteQuota(.tenant("big")))
            let fallback = try await #require(throws: JobStoreError.self) { try await store.apply([JobFixtures.spec(tenant: "big", name: "j6")]) }
            #expect(fallback.message.contains("its limit is 5"))
        }
    }

    @Test("applies racing for a tenant's last slots never take it past its limit: the losers are refused")
    func racingApplies() async throws {
        try await withStore { store, _ in
            try await store.setQuota(.tenant("race"), maxJobs: 6)
            _ = try await store.apply([JobFixtures.spec(tenant: "race", name: "seed")])
            var stored = 1
            for round in 0..<3 {
                // Eight applies at once, one of them adding two jobs, for the slots left.
                let outcomes = await withTaskGroup(of: (Int, JobStoreError.Code?).self) { group in
                    for writer in 0..<8 {
                        let names = writer == 0 ? ["r\(round)-w0-a", "r\(round)-w0-b"] : ["r\(round)-w\(writer)"]
                        group.addTask {
                            do throws(JobStoreError) {
                                return (try await store.apply(names.map { JobFixtures.spec(tenant: "race", name: $0) }).count, nil)
                            } catch {
                                return (error.applied.count, error.code)
                            }
                        }
                    }
                    return await group.reduce(into: [(Int, JobStoreError.Code?)]()) { $0.append($1) }
                }
                let created = outcomes.map(\.0).reduce(0, +)
                let jobs = try await store.list(tenant: "race").jobs.count
                #expect(jobs <= 6, "round \(round): \(jobs) jobs, limit 6")
                #expect(jobs == stored + created, "round \(round): every job counted as created is stored")
                #expect(outcomes.allSatisfy { $0.1 == nil || $0.1 == .quotaExceeded }, "\(outcomes)")
                if stored < 6 { #expect(created > 0, "round \(round): someone gets the free slots") }
                stored = jobs
                // Free two slots for the next round.
                for job in try await store.list(tenant: "race").jobs.prefix(2) {
                    _ = try await store.delete(tenant: "race", name: job.id.name)
                }
                stored -= 2
            }
        }
    }

    @Test("a corrupt quota record written raw is reported and counts as absent; it never fails a read or an apply")
    func corruptRecord() async throws {
        try await withStore { store, cluster in
            try await store.setQuota(.default, maxJobs: 1)
            try await cluster.etcdctl("put", Self.keys.quota(.tenant("payments")), "garbage")
            try await store.client.put(Self.keys.quotas + "Bad_Tenant", value: try Etcron_V1_TenantQuota().serializedBytes())
            var negative = Etcron_V1_TenantQuota()
            negative.maxJobs = -1
            try await store.client.put(Self.keys.quota(.tenant("neg")), value: try negative.serializedBytes())

            let list = try await store.quotas()
            #expect(list.quotas.map(\.scope) == [.default])
            #expect(list.corrupt.map(\.key) == ["/etcron/quotas/Bad_Tenant", "/etcron/quotas/neg", "/etcron/quotas/payments"])
            #expect(list.corrupt[1].reason == "has max_jobs -1; limits are 0 (unlimited) or more")
            let get = try await #require(throws: JobStoreError.self) { try await store.quota(.tenant("payments")) }
            #expect(get.code == .corruptRecord && get.message.contains("/etcron/quotas/payments"))

            // payments' unreadable record counts as absent: the default's limit of 1 applies.
            #expect(try await store.apply([JobFixtures.spec(name: "a")]).map(\.outcome) == [.created])
            let refused = try await #require(throws: JobStoreError.self) { try await store.apply([JobFixtures.spec(name: "b")]) }
            #expect(refused.code == .quotaExceeded && refused.message.contains("its limit is 1"))

            let (book, revision, corrupt) = try await QuotaBook.load(client: store.client, keys: Self.keys)
            #expect(book.maxJobs(forTenant: "payments") == 1 && book.tenantQuotas.isEmpty)
            #expect(corrupt.count == 3 && revision > list.revision, "the apply wrote in between")

            // Setting the quota repairs the record.
            #expect(try await store.setQuota(.tenant("payments"), maxJobs: 2).outcome == .updated)
            #expect(try await store.quota(.tenant("payments"))?.quota.maxJobs == 2)
            #expect(try await store.apply([JobFixtures.spec(name: "b")]).map(\.outcome) == [.created])
        }
    }

    @Test("bad input is refused naming every field and the reason; nothing is written")
    func validation() async throws {
        try await withStore { store, _ in
            let error = try await #require(throws: JobStoreError.self) {
                try await store.setQuota(.tenant("Pay_ments"), maxJobs: -1, maxRunningRuns: -5, note: String(repeating: "x", count: 1025))
            }
            #expect(error.code == .invalidArgument)
            #expect(error.message == """
                tenant: "Pay_ments" is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has "P" at position 1 (use lowercase)
                maxJobs: must be 0 (unlimited) or more, not -1
                maxRunningRuns: must be 0 (unlimited) or more, not -5
                note: is 1025 characters long; at most 1024 are allowed
                """)
            let empty = try await #require(throws: JobStoreError.self) { try await store.setQuota(.tenant(""), maxJobs: 1) }
            #expect(empty.message == "tenant: is required")
            let lookup = try await #require(throws: JobStoreError.self) { try await store.quota(.tenant("a/b")) }
            #expect(lookup.code == .invalidArgument && lookup.message.hasPrefix(#"tenant: "a/b" is not a DNS subdomain"#))
            let delete = try await #require(throws: JobStoreError.self) { try await store.deleteQuota(.tenant("*")) }
            #expect(delete.code == .invalidArgument)
            #expect(try await store.client.rangeAll(.prefix(Self.keys.quotas)).kvs.isEmpty)
            // A 253-character tenant works.
            let longest = JobFixtures.longName(253)
            #expect(try await store.setQuota(.tenant(longest), maxJobs: 1).outcome == .created)
            #expect(try await store.quotas().quotas.map(\.scope) == [.tenant(longest)])
        }
    }

    @Test("a book loaded from etcd follows a watch from the loaded revision + 1")
    func followWatch() async throws {
        try await withStore { store, cluster in
            try await store.setQuota(.default, maxJobs: 4)
            let loaded = try await QuotaBook.load(client: store.client, keys: Self.keys)
            #expect(loaded.book.maxJobs(forTenant: "a") == 4 && loaded.corrupt.isEmpty)

            try await store.setQuota(.tenant("a"), maxJobs: 0, maxRunningRuns: 2)
            try await cluster.etcdctl("put", Self.keys.quota(.tenant("b")), "garbage")
            try await store.deleteQuota(.default)
            try await store.setQuota(.tenant("c"), maxJobs: 9)

            var book = loaded.book
            var corrupt: [CorruptRecord] = []
            var seen = 0
            let watch = store.client.watch(.prefix(Self.keys.quotas), options: WatchOptions(startRevision: loaded.revision + 1))
            for try await response in watch {
                for event in response.events {
                    if let record = book.apply(event, keys: Self.keys) { corrupt.append(record) }
                    seen += 1
                }
                if seen >= 4 { break }
            }
            #expect(corrupt.map(\.key) == ["/etcron/quotas/b"])
            #expect(book.maxJobs(forTenant: "a") == nil && book.maxRunningRuns(forTenant: "a") == 2)
            #expect(book.maxJobs(forTenant: "b") == nil, "b's record is unreadable and the default is gone")
            #expect(book.maxJobs(forTenant: "c") == 9)
            #expect(book == (try await QuotaBook.load(client: store.client, keys: Self.keys)).book)
        }
    }
}
