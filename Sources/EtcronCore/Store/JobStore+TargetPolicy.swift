import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

extension JobStore {
    /// The stored target policy record of `scope`, or nil if there is none.
    /// - Throws: ``JobStoreError/Code/corruptRecord`` when it cannot be read.
    public func targetPolicy(_ scope: QuotaScope) async throws(JobStoreError) -> StoredTargetPolicy? {
        try Self.checked(scope)
        let kv: KeyValue?
        do {
            kv = try await client.get(keys.targetPolicy(scope))
        } catch {
            throw .etcd(error, while: "reading the target policy of \(scope.tenant ?? "the default")")
        }
        guard let kv else { return nil }
        switch StoredTargetPolicy.decode(key: kv.keyString, value: kv.value, modRevision: kv.modRevision, keys: keys) {
        case .success(let stored): return stored
        case .failure(let corrupt):
            report(corrupt, record: "target policy")
            throw JobStoreError(.corruptRecord, "\(corrupt)")
        case nil: return nil
        }
    }

    /// The policy in force for `tenant` (its record, else the default, else the built-in),
    /// both records read at one revision. A record that cannot be read is reported and
    /// counts as absent.
    public func targetPolicyInForce(tenant: String) async throws(JobStoreError) -> TargetPolicyInForce {
        if let reason = JobName.refusal(of: tenant) { throw JobStoreError(.invalidArgument, "tenant: \(reason)") }
        let result: TxnResult
        do {
            result = try await client.txn(Txn(success: [.get(.key(keys.targetPolicy(.tenant(tenant)))), .get(.key(keys.targetPolicy(.default)))]))
        } catch {
            throw .etcd(error, while: "reading the target policy of tenant \(tenant)")
        }
        for (kv, source) in zip(result.responses.map { $0.range?.kvs.first }, [TargetPolicyInForce.Source.tenant, .default]) {
            guard let kv else { continue }
            switch StoredTargetPolicy.decode(key: kv.keyString, value: kv.value, modRevision: kv.modRevision, keys: keys) {
            case .success(let stored): return TargetPolicyInForce(source: source, policy: stored.policy, stored: stored)
            case .failure(let corrupt): report(corrupt, record: "target policy")
            case nil: break
            }
        }
        return TargetPolicyInForce(source: .builtIn, policy: .builtIn, stored: nil)
    }

    /// Writes the target policy of `scope` whole, recording `author` (nil: straight in
    /// etcd); only over `ifRevision` when given. A policy equal to the stored one writes
    /// nothing (`unchanged`).
    /// - Throws: ``JobStoreError/Code/invalid`` naming every bad field,
    ///   ``JobStoreError/Code/staleRevision``.
    public func setTargetPolicy(
        _ scope: QuotaScope, _ policy: Etcron_V1_TargetPolicy, ifRevision: Int64? = nil, author: String? = nil
    ) async throws(JobStoreError) -> (outcome: JobApplyResult.Outcome, stored: StoredTargetPolicy) {
        try Self.checked(scope)
        let problems = policy.problems
        guard problems.isEmpty else { throw .invalid(problems) }
        let key = keys.targetPolicy(scope)
        do {
            return try await compareAndSwap(key).run { current, _ in
                if let ifRevision, current?.modRevision != ifRevision {
                    throw JobStoreError(
                        .staleRevision,
                        "the target policy of \(scope.tenant ?? "the default") is at resourceVersion \(current.map { String($0.modRevision) } ?? "none (absent)"), not \(ifRevision); nothing was written")
                }
                let stored = current.flatMap { try? Etcron_V1_TargetPolicy(serializedBytes: $0.value) }
                var desired = policy
                desired.updatedBy = author ?? ""
                if let current, var unchanged = stored {
                    unchanged.updatedAtUnixMs = 0
                    unchanged.updatedBy = desired.updatedBy
                    if unchanged == desired {
                        return .done((.unchanged, StoredTargetPolicy(scope: scope, policy: stored ?? desired, modRevision: current.modRevision)))
                    }
                }
                desired.updatedAtUnixMs = nowMilliseconds
                let outcome: JobApplyResult.Outcome = current == nil ? .created : .updated
                let record = desired
                return .write(operations: [.put(key, try record.serializedBytes())]) { result in
                    (outcome, StoredTargetPolicy(scope: scope, policy: record, modRevision: result.header.revision))
                }
            }
        } catch {
            throw .from(error, while: "writing the target policy of \(scope.tenant ?? "the default")", conflict: "the target policy kept changing while it was being set; try again")
        }
    }

    /// Deletes the target policy record of `scope` (only at `ifRevision` when given).
    /// Returns whether it existed.
    public func deleteTargetPolicy(_ scope: QuotaScope, ifRevision: Int64? = nil) async throws(JobStoreError) -> Bool {
        try Self.checked(scope)
        return try await deleteRecord(
            keys.targetPolicy(scope), ifRevision: ifRevision, what: "the target policy of \(scope.tenant ?? "the default")")
    }
}
