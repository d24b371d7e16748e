import EtcdClient
import EtcronProto
import Foundation

/// Who writes a job through the API: recorded with the spec (`created_by`, `updated_by`),
/// and whether the tenant's target policy binds the write (`policy_bound`). Writes made
/// straight in etcd (administrators' CLI) have no author.
public struct JobAuthor: Sendable, Hashable {
    /// The API token's name.
    public var name: String
    /// Whether the token has admin rights (admins may set any target).
    public var isAdmin: Bool

    /// An author.
    public init(name: String, isAdmin: Bool) {
        self.name = name
        self.isAdmin = isAdmin
    }
}

/// When a single-job write may happen; checked against every read of the compare-and-swap,
/// so a condition that fails is refused, never retried into success.
public enum JobWriteCondition: Sendable, Hashable {
    /// Create or replace.
    case none
    /// Create only: an existing job is ``JobStoreError/Code/alreadyExists``.
    case absent
    /// Replace only this version (the spec's mod revision): anything else, a deleted job
    /// included, is ``JobStoreError/Code/staleRevision``.
    case revision(Int64)

    func check(_ current: KeyValue?, _ id: JobID) throws(JobStoreError) {
        switch self {
        case .none:
            return
        case .absent:
            if let current {
                throw JobStoreError(.alreadyExists, "job \(id) already exists (resourceVersion \(current.modRevision)); nothing was written")
            }
        case .revision(let expected):
            guard let current else {
                throw JobStoreError(.staleRevision, "job \(id) no longer exists (resourceVersion \(expected) was given); nothing was written")
            }
            if current.modRevision != expected {
                throw JobStoreError(
                    .staleRevision,
                    "job \(id) is at resourceVersion \(current.modRevision), not \(expected); read it again and retry; nothing was written")
            }
        }
    }
}

extension JobStore {
    /// Writes one job as the API does: validated, within its tenant's job limit, only if
    /// `condition` holds, recording `author`. A spec equal to the stored one (server-set
    /// fields aside) writes nothing (`unchanged`).
    ///
    /// - Returns: what was done, and the job as stored after it.
    /// - Throws: ``JobStoreError`` `invalid` (every problem), `alreadyExists`,
    ///   `staleRevision`, `quotaExceeded`, `conflict` or `etcd`.
    public func put(
        _ spec: Etcron_V1_JobSpec, condition: JobWriteCondition = .none, author: JobAuthor? = nil
    ) async throws(JobStoreError) -> (result: JobApplyResult, job: StoredJob) {
        let problems = JobValidation.problems(in: spec)
        guard problems.isEmpty else { throw .invalid(problems) }
        let id = JobID(tenant: spec.tenant, name: spec.name)
        let current = try await readKeys([keys.spec(id.tenant, id.name)], what: "reading \(id)")[0]
        let result: JobApplyResult
        if current == nil, let limit = try await quotas().book.maxJobs(forTenant: id.tenant) {
            try condition.check(nil, id)
            let gate = try await quotaGate(tenant: id.tenant, limit: limit)
            if gate.jobs + 1 > limit {
                throw JobStoreError(
                    .quotaExceeded, "tenant \"\(id.tenant)\" has \(gate.jobs) jobs; its limit is \(limit); \(id) was not created")
            }
            result = try await createGuarded(spec, gate: gate, author: author, condition: condition).0
        } else {
            result = try await write(spec, current: current, author: author, condition: condition)
        }
        guard let stored = try await get(tenant: id.tenant, name: id.name) else {
            throw JobStoreError(.conflict, "job \(id) was deleted right after it was written; try again")
        }
        return (result, stored)
    }

    /// Deletes the job's spec and its pending manual triggers, only if the spec is at
    /// `revision` (nil: any). Returns whether the job existed.
    /// - Throws: ``JobStoreError/Code/staleRevision`` when it is at another revision.
    @discardableResult
    public func delete(tenant: String, name: String, ifRevision revision: Int64?) async throws(JobStoreError) -> Bool {
        guard let revision else { return try await delete(tenant: tenant, name: name) }
        let id = try Self.checked(tenant: tenant, name: name)
        let record = JobRecordKeys(keys, id)
        return try await deleteRecord(record.spec, also: [.delete(.prefix(record.triggers))], ifRevision: revision, what: "job \(id)")
    }

    /// Deletes the record at `key` (and runs `also` with it), only if it is at `revision`
    /// (nil: whatever its revision), in one Txn: the store's one conditional delete, for
    /// jobs, quotas and target policies. Returns whether the record existed.
    /// - Throws: ``JobStoreError/Code/staleRevision`` naming `what` when it is at another
    ///   revision; nothing is deleted then.
    func deleteRecord(
        _ key: String, also: [TxnOperation] = [], ifRevision revision: Int64?, what: String
    ) async throws(JobStoreError) -> Bool {
        let txn = Txn(
            compare: revision.map { [.modRevision(key, .equal, $0)] } ?? [],
            success: [.delete(.key(key))] + also,
            failure: [.get(.key(key))])
        let result: TxnResult
        do {
            result = try await client.txn(txn)
        } catch {
            throw .etcd(error, while: "deleting \(what)")
        }
        if result.succeeded { return (result.responses.first?.deleteRange?.deleted ?? 0) > 0 }
        guard let current = result.responses.first?.range?.kvs.first else { return false }
        throw JobStoreError(
            .staleRevision, "\(what) is at resourceVersion \(current.modRevision), not \(revision ?? 0); read it again and retry; nothing was deleted")
    }
}

extension Etcron_V1_JobSpec {
    /// Whether `self` defines the same job as `other`: equal but for the fields the store
    /// sets on every write (who wrote it and when).
    func sameDefinition(as other: Etcron_V1_JobSpec) -> Bool {
        var mine = self
        mine.updatedBy = other.updatedBy
        mine.updatedAtUnixMs = other.updatedAtUnixMs
        mine.policyBound = other.policyBound
        return mine == other
    }
}
