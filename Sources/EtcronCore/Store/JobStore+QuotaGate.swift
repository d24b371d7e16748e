import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// A tenant's job limit as an apply enforces it, race-free: every job created in a tenant
/// with a limit is written in a Txn that also compares and bumps the tenant's guard key
/// (`<prefix>quota-guards/<tenant>`). Two applies that counted the same jobs cannot both
/// create: the second one's compare fails, and it counts again before it may go on.
struct QuotaGate: Sendable {
    var tenant: String
    var limit: Int
    /// The tenant's jobs when `guardRevision` was read.
    var jobs: Int
    /// The guard key's mod revision the count belongs to (0: no guard yet).
    var guardRevision: Int64
}

extension JobStore {
    /// The tenant's job count and guard revision, read at one revision.
    func quotaGate(tenant: String, limit: Int) async throws(JobStoreError) -> QuotaGate {
        let guardRead: RangeResult
        do {
            guardRead = try await client.range(.key(keys.quotaGuard(tenant)))
        } catch {
            throw .etcd(error, while: "reading the job count of tenant \(tenant)")
        }
        let jobs = try await scanSpecKeys(under: keys.tenant(tenant), revision: guardRead.header.revision).count
        return QuotaGate(tenant: tenant, limit: limit, jobs: jobs, guardRevision: guardRead.kvs.first?.modRevision ?? 0)
    }

    /// Creates `spec` (absent when the apply read it) in a tenant with a job limit, fenced
    /// on the tenant's guard. When another apply created jobs in the tenant meanwhile, the
    /// jobs are counted again and the create refused if the limit is reached; when the job
    /// itself was created meanwhile, it is applied as an update instead.
    /// - Returns: the result and the gate after this write.
    func createGuarded(
        _ spec: Etcron_V1_JobSpec, gate initial: QuotaGate, author: JobAuthor? = nil, condition: JobWriteCondition = .none
    ) async throws(JobStoreError) -> (JobApplyResult, QuotaGate) {
        let id = JobID(tenant: spec.tenant, name: spec.name)
        let key = keys.spec(id.tenant, id.name)
        let guardKey = keys.quotaGuard(id.tenant)
        var gate = initial
        // Every lost race is another apply's successful create, which takes a slot: the
        // retries end, at the latest, when the tenant is full.
        let attempts = Self.maximumAttempts + max(0, initial.limit - initial.jobs)
        do {
            return try await compareAndSwap(key, attempts: attempts).run(current: .some(nil)) { current, conflicts in
                if let current {
                    // Created by someone else meanwhile: not a new job any more.
                    return .done((try await write(spec, current: current, author: author, condition: condition), gate))
                }
                try condition.check(nil, id)
                if conflicts > 0 {
                    // Another apply created a job in the tenant: count again.
                    gate = try await quotaGate(tenant: gate.tenant, limit: gate.limit)
                }
                guard gate.jobs + 1 <= gate.limit else {
                    throw JobStoreError(
                        .quotaExceeded,
                        "tenant \"\(id.tenant)\" would have \(gate.jobs + 1) jobs (\(gate.jobs) stored, some added by another apply "
                            + "meanwhile, + 1 new); its limit is \(gate.limit); \(id) was not applied")
                }
                let counted = gate
                return .write(
                    compares: [.modRevision(guardKey, .equal, gate.guardRevision)],
                    operations: [
                        .put(key, try Self.serialized(desiredSpec(spec, stored: nil, author: author), id)), .put(guardKey, Data()),
                        .put(keys.tenantIndex(id.tenant), Data()),
                    ]
                ) { result in
                    var next = counted
                    next.jobs += 1
                    next.guardRevision = result.header.revision
                    return (JobApplyResult(id: id, outcome: .created, revision: result.header.revision), next)
                }
            }
        } catch {
            throw .from(error, while: "writing \(id)", conflict: "tenant \(id.tenant) kept changing while \(id) was being created (\(attempts) attempts); try again")
        }
    }
}
