import EtcronCore
import EtcronProto
import Foundation

/// A quota as `etcron quota get` prints it: for a record, or for the quota in force for
/// a tenant. The default's tenant is `*`; 0 means unlimited.
struct QuotaView: Encodable {
    /// The tenant, or `*` for the default record.
    var tenant: String
    /// Where the limits come from: `tenant` (its own record), `default`, or `none`.
    var source: String
    var maxJobs: Int64
    var maxRunningRuns: Int64
    var updatedAt: Date?
    var note: String?
    /// The record's mod revision (absent for `none`).
    var revision: Int64?
}

extension QuotaView {
    /// A stored record.
    init(_ stored: StoredQuota) {
        tenant = stored.scope.keySegment
        source = stored.scope.tenant == nil ? "default" : "tenant"
        maxJobs = stored.quota.maxJobs
        maxRunningRuns = stored.quota.maxRunningRuns
        updatedAt = Date(unixMilliseconds: stored.quota.updatedAtUnixMs)
        note = stored.quota.note.isEmpty ? nil : stored.quota.note
        revision = stored.modRevision
    }

    /// The quota in force for `tenant` per `book`, with the revision from `stored`.
    init(tenant: String, book: QuotaBook, stored: [StoredQuota]) {
        guard let (scope, _) = book.quota(forTenant: tenant), let record = stored.first(where: { $0.scope == scope }) else {
            self.init(tenant: tenant, source: "none", maxJobs: 0, maxRunningRuns: 0, updatedAt: nil, note: nil, revision: nil)
            return
        }
        self.init(record)
        self.tenant = tenant
    }
}
