import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf
import Testing

/// Quota keys and the quota book, without etcd.
@Suite("Quota book")
struct QuotaBookTests {
    static let keys = JobKeys(prefix: "/etcron")

    static func quota(maxJobs: Int64 = 0, maxRunningRuns: Int64 = 0, note: String = "") -> Etcron_V1_TenantQuota {
        var quota = Etcron_V1_TenantQuota()
        quota.maxJobs = maxJobs
        quota.maxRunningRuns = maxRunningRuns
        quota.note = note
        return quota
    }

    static func bytes(_ quota: Etcron_V1_TenantQuota) throws -> Data {
        try quota.serializedBytes()
    }

    @Test("quota keys: * for the default, the tenant otherwise; anything else under quotas/ names no quota")
    func keys() {
        let keys = Self.keys
        #expect(keys.quotas == "/etcron/quotas/")
        #expect(keys.quota(.default) == "/etcron/quotas/*")
        #expect(keys.quota(.tenant("payments")) == "/etcron/quotas/payments")
        #expect(RecordKey("/etcron/quotas/*", keys: keys) == .quota(.default))
        #expect(RecordKey("/etcron/quotas/payments", keys: keys) == .quota(.tenant("payments")))
        #expect(RecordKey("/etcron/quotas/a/b", keys: keys) == nil)
        #expect(RecordKey("/etcron/quotas/", keys: keys) == nil)
        #expect(RecordKey("/etcron/jobs/payments", keys: keys) == nil)
        #expect(RecordKey.quotaKeyProblem("/etcron/quotas/Pay", keys: keys) == #"is not a quota key: its tenant "Pay" is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters): has "P" at position 1 (use lowercase)"#)
        #expect(RecordKey.quotaKeyProblem("/etcron/quotas/", keys: keys) == "is not a quota key: its tenant is required")
        #expect(RecordKey.quotaKeyProblem("/etcron/quotas/*", keys: keys) == nil)
        #expect(RecordKey.quotaKeyProblem("/etcron/jobs/x", keys: keys) == nil)
        #expect([QuotaScope.tenant("b"), .tenant("a"), .default].sorted() == [.default, .tenant("a"), .tenant("b")])
    }

    @Test("no records: no limits; a tenant's own record replaces the default entirely; 0 is unlimited")
    func precedence() {
        #expect(QuotaBook().maxJobs(forTenant: "a") == nil)
        #expect(QuotaBook().maxRunningRuns(forTenant: "a") == nil)
        #expect(QuotaBook().quota(forTenant: "a") == nil)
        let book = QuotaBook(
            defaultQuota: Self.quota(maxJobs: 10, maxRunningRuns: 3),
            tenantQuotas: ["big": Self.quota(maxJobs: 1000), "tiny": Self.quota(maxJobs: 1, maxRunningRuns: 1)])
        #expect(book.maxJobs(forTenant: "a") == 10)
        #expect(book.maxRunningRuns(forTenant: "a") == 3)
        #expect(book.quota(forTenant: "a")?.scope == .default)
        #expect(book.maxJobs(forTenant: "big") == 1000)
        #expect(book.maxRunningRuns(forTenant: "big") == nil, "big's record leaves runs unlimited; the default's 3 does not apply")
        #expect(book.quota(forTenant: "big")?.scope == .tenant("big"))
        #expect(book.maxJobs(forTenant: "tiny") == 1 && book.maxRunningRuns(forTenant: "tiny") == 1)
        #expect(book[.default]?.maxJobs == 10 && book[.tenant("none")] == nil)
    }

    @Test("apply and remove keep a book current from put and delete events; keys elsewhere are ignored")
    func follow() throws {
        let keys = Self.keys
        var book = QuotaBook()
        let defaultPut = book.apply(key: keys.quota(.default), value: try Self.bytes(Self.quota(maxJobs: 5)), keys: keys)
        #expect(defaultPut == nil)
        let bigPut = book.apply(key: keys.quota(.tenant("big")), value: try Self.bytes(Self.quota(maxJobs: 50, note: "agreed")), keys: keys)
        #expect(bigPut == nil)
        #expect(book.maxJobs(forTenant: "a") == 5 && book.maxJobs(forTenant: "big") == 50)
        #expect(book.tenantQuotas["big"]?.note == "agreed")
        // A record anywhere else (a job spec, another prefix) changes nothing.
        let before = book
        let specPut = book.apply(key: "/etcron/jobs/big/x/spec", value: Data("garbage".utf8), keys: keys)
        #expect(specPut == nil)
        let otherPrefixPut = book.apply(key: "/other/quotas/big", value: Data("garbage".utf8), keys: keys)
        #expect(otherPrefixPut == nil)
        book.remove(key: "/etcron/jobs/big/x/spec", keys: keys)
        #expect(book == before)

        book.remove(key: keys.quota(.tenant("big")), keys: keys)
        #expect(book.maxJobs(forTenant: "big") == 5, "without its own record the tenant falls back to the default")
        book.remove(key: keys.quota(.default), keys: keys)
        #expect(book == QuotaBook())
    }

    @Test("a corrupt record is returned, never thrown, and counts as absent: its tenant falls back to the default")
    func corrupt() throws {
        let keys = Self.keys
        var book = QuotaBook(defaultQuota: Self.quota(maxJobs: 5), tenantQuotas: ["big": Self.quota(maxJobs: 50)])

        let garbageResult = book.apply(key: keys.quota(.tenant("big")), value: Data("garbage".utf8), keys: keys)
        let garbage = try #require(garbageResult)
        #expect(garbage.key == "/etcron/quotas/big")
        #expect(garbage.reason.hasPrefix("is not a valid quota record (7 bytes: "), "\(garbage.reason)")
        #expect(book.tenantQuotas["big"] == nil && book.maxJobs(forTenant: "big") == 5)

        let negativeResult = book.apply(key: keys.quota(.default), value: try Self.bytes(Self.quota(maxJobs: 1, maxRunningRuns: -2)), keys: keys)
        let negative = try #require(negativeResult)
        #expect(negative.reason == "has max_running_runs -2; limits are 0 (unlimited) or more")
        #expect(book.defaultQuota == nil && book.maxJobs(forTenant: "big") == nil, "an unreadable default is no default")

        let badKeyResult = book.apply(key: "/etcron/quotas/a/b", value: try Self.bytes(Self.quota(maxJobs: 1)), keys: keys)
        let badKey = try #require(badKeyResult)
        #expect(badKey.reason.hasPrefix(#"is not a quota key: its tenant "a/b" is not a DNS subdomain"#), "\(badKey.reason)")
        #expect(book == QuotaBook())

        // Unknown fields (a newer writer) are kept, not corrupt.
        var newer = try Self.bytes(Self.quota(maxJobs: 7))
        newer += Data([0xA0, 0x06, 0x01])  // field 100, varint 1
        let newerPut = book.apply(key: keys.quota(.tenant("new")), value: newer, keys: keys)
        #expect(newerPut == nil)
        #expect(book.maxJobs(forTenant: "new") == 7)
    }

    @Test("decode gives the scope, the record and its revision")
    func decode() throws {
        let stored = try #require(try StoredQuota.decode(key: "/etcron/quotas/*", value: Self.bytes(Self.quota(maxRunningRuns: 4)), modRevision: 9, keys: Self.keys)?.get())
        #expect(stored == StoredQuota(scope: .default, quota: Self.quota(maxRunningRuns: 4), modRevision: 9))
        #expect(StoredQuota.decode(key: "/etcron/quotasx", value: Data(), keys: Self.keys) == nil)
        // An empty value is a valid record: every field at its zero value.
        #expect(try StoredQuota.decode(key: "/etcron/quotas/a", value: Data(), keys: Self.keys)?.get().quota == Etcron_V1_TenantQuota())
    }
}
