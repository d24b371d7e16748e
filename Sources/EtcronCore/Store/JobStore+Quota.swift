import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

extension JobStore {
    /// The stored record of `scope` (not the default a tenant without one falls back to:
    /// see ``QuotaBook/quota(forTenant:)``), or nil if there is none.
    /// - Throws: ``JobStoreError/Code/invalidArgument`` for a tenant that is not a DNS
    ///   subdomain, ``JobStoreError/Code/corruptRecord`` when the record cannot be read.
    public func quota(_ scope: QuotaScope) async throws(JobStoreError) -> StoredQuota? {
        try Self.checked(scope)
        let kv: KeyValue?
        do {
            kv = try await client.get(keys.quota(scope))
        } catch {
            throw .etcd(error, while: "reading \(scope)")
        }
        guard let kv else { return nil }
        switch StoredQuota.decode(kv, keys: keys) {
        case .success(let stored): return stored
        case .failure(let corrupt): throw JobStoreError(.corruptRecord, "\(scope): stored record \(corrupt)")
        case nil: return nil
        }
    }

    /// Every quota record, the default first, then tenants by name, read at one revision.
    /// Records that cannot be read are skipped, reported (log, metric) and returned in
    /// ``QuotaList/corrupt``; they count as absent.
    public func quotas() async throws(JobStoreError) -> QuotaList {
        let list = try await QuotaList.read(client: client, keys: keys)
        list.corrupt.forEach { report($0, record: "quota") }
        return list
    }

    /// Creates or changes the record of `scope`; a limit or note given as nil keeps its
    /// stored value (0, unlimited, or empty for a new record). Sets `updated_at_unix_ms`.
    /// The write compares the record's mod revision read before it (or its absence) and is
    /// retried from a fresh read when it loses a race. A record that cannot be read is
    /// replaced (and reported). Setting the values already stored writes nothing.
    ///
    /// - Parameters:
    ///   - maxJobs: the most jobs; 0 for unlimited.
    ///   - maxRunningRuns: the most active runs; 0 for unlimited.
    ///   - note: why (at most ``maximumNoteLength`` characters).
    /// - Throws: ``JobStoreError/Code/invalidArgument`` naming every bad field (tenant,
    ///   maxJobs, maxRunningRuns, note); nothing is written then.
    @discardableResult
    ///   - author: the API token writing it (nil: straight in etcd).
    ///   - ifRevision: write only if the record is at this mod revision
    ///     (``JobStoreError/Code/staleRevision`` otherwise, also when it is absent).
    public func setQuota(
        _ scope: QuotaScope, maxJobs: Int64? = nil, maxRunningRuns: Int64? = nil, note: String? = nil, ifRevision: Int64? = nil,
        author: String? = nil
    ) async throws(JobStoreError) -> QuotaSetResult {
        var problems: [String] = []
        if case .tenant(let tenant) = scope, let reason = JobName.refusal(of: tenant) { problems.append("tenant: \(reason)") }
        for (field, value) in [("maxJobs", maxJobs), ("maxRunningRuns", maxRunningRuns)] {
            if let value, value < 0 { problems.append("\(field): must be 0 (unlimited) or more, not \(value)") }
        }
        if let note, note.count > Self.maximumNoteLength {
            problems.append("note: is \(note.count) characters long; at most \(Self.maximumNoteLength) are allowed")
        }
        guard problems.isEmpty else { throw JobStoreError(.invalidArgument, problems.joined(separator: "\n")) }

        do {
            return try await compareAndSwap(keys.quota(scope)).run { current, _ in
                if let ifRevision, current?.modRevision != ifRevision {
                    throw JobStoreError(
                        .staleRevision,
                        "\(scope) is at resourceVersion \(current.map { String($0.modRevision) } ?? "none (absent)"), not \(ifRevision); nothing was written")
                }
                var stored: Etcron_V1_TenantQuota?
                if let current {
                    switch StoredQuota.decode(current, keys: keys) {
                    case .success(let record): stored = record.quota
                    case .failure(let corrupt): report(corrupt, record: "quota")
                    case nil: break
                    }
                }
                var desired = stored ?? Etcron_V1_TenantQuota()
                desired.maxJobs = maxJobs ?? desired.maxJobs
                desired.maxRunningRuns = maxRunningRuns ?? desired.maxRunningRuns
                desired.note = note ?? desired.note
                desired.updatedBy = author ?? ""
                if let current, var unchanged = stored {
                    unchanged.updatedAtUnixMs = desired.updatedAtUnixMs
                    unchanged.updatedBy = desired.updatedBy
                    if unchanged == desired {
                        return .done(QuotaSetResult(outcome: .unchanged, stored: StoredQuota(scope: scope, quota: desired, modRevision: current.modRevision)))
                    }
                }
                desired.updatedAtUnixMs = nowMilliseconds
                let outcome: JobApplyResult.Outcome = current == nil ? .created : .updated
                let record = desired
                return .write(operations: [.put(keys.quota(scope), try desired.serializedBytes())]) { result in
                    QuotaSetResult(outcome: outcome, stored: StoredQuota(scope: scope, quota: record, modRevision: result.header.revision))
                }
            }
        } catch {
            throw .from(error, while: "writing \(scope)", conflict: "\(scope) kept changing while it was being set (\(Self.maximumAttempts) attempts); try again")
        }
    }

    /// Deletes the record of `scope` (a tenant then falls back to the default; deleting the
    /// default lifts the limits of every tenant without a record). Returns whether it existed.
    /// With `ifRevision`, only if the record is at that mod revision
    /// (``JobStoreError/Code/staleRevision`` otherwise).
    @discardableResult
    public func deleteQuota(_ scope: QuotaScope, ifRevision: Int64? = nil) async throws(JobStoreError) -> Bool {
        try Self.checked(scope)
        return try await deleteRecord(keys.quota(scope), ifRevision: ifRevision, what: "\(scope)")
    }

    /// Refuses a tenant scope whose tenant is not a DNS subdomain.
    static func checked(_ scope: QuotaScope) throws(JobStoreError) {
        if case .tenant(let tenant) = scope, let reason = JobName.refusal(of: tenant) {
            throw JobStoreError(.invalidArgument, "tenant: \(reason)")
        }
    }
}
