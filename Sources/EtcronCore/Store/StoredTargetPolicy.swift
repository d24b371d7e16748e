import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// A target policy record as stored, with the revision that fences changes to it.
public struct StoredTargetPolicy: Sendable, Hashable {
    /// The default, or one tenant.
    public var scope: QuotaScope
    /// The policy.
    public var policy: Etcron_V1_TargetPolicy
    /// The record's mod revision.
    public var modRevision: Int64

    /// A record.
    public init(scope: QuotaScope, policy: Etcron_V1_TargetPolicy, modRevision: Int64) {
        self.scope = scope
        self.policy = policy
        self.modRevision = modRevision
    }

    /// Decodes the record `value` at `key`: nil when `key` is not under
    /// ``JobKeys/targetPolicies``; a ``CorruptRecord`` when the key names no tenant, the
    /// bytes are not a policy, or the policy breaks its rules (a bad network). Reports
    /// nothing; the caller does.
    public static func decode(key: String, value: Data, modRevision: Int64 = 0, keys: JobKeys) -> Result<StoredTargetPolicy, CorruptRecord>? {
        guard key.hasPrefix(keys.targetPolicies) else { return nil }
        guard case .targetPolicy(let scope)? = RecordKey(key, keys: keys) else {
            return .failure(CorruptRecord(
                key: key, reason: RecordKey.scopeProblem(key, prefix: keys.targetPolicies, kind: "target policy") ?? "is not a target policy key"))
        }
        let policy: Etcron_V1_TargetPolicy
        do {
            policy = try Etcron_V1_TargetPolicy(serializedBytes: value)
        } catch {
            return .failure(CorruptRecord(key: key, reason: "is not a valid target policy record (\(value.count) bytes: \(error))"))
        }
        if let problem = policy.problems.first {
            return .failure(CorruptRecord(key: key, reason: "has a bad target policy: \(problem)"))
        }
        return .success(StoredTargetPolicy(scope: scope, policy: policy, modRevision: modRevision))
    }
}

/// The target policy in force for a tenant, and where it comes from.
public struct TargetPolicyInForce: Sendable, Hashable {
    /// Where the policy comes from.
    public enum Source: String, Sendable, Hashable {
        /// The tenant's own record.
        case tenant
        /// The default record.
        case `default`
        /// No record: ``Etcron_V1_TargetPolicy/builtIn``.
        case builtIn
    }

    /// Where it comes from.
    public var source: Source
    /// The policy.
    public var policy: Etcron_V1_TargetPolicy
    /// The record it comes from; nil for the built-in one.
    public var stored: StoredTargetPolicy?

    /// A policy in force.
    public init(source: Source, policy: Etcron_V1_TargetPolicy, stored: StoredTargetPolicy?) {
        self.source = source
        self.policy = policy
        self.stored = stored
    }
}

/// Every target policy record, followed by the leader (loaded with the jobs, kept current
/// by a watch): the policy in force for each tenant.
public struct TargetPolicyBook: Sendable, Hashable {
    var records: [QuotaScope: Etcron_V1_TargetPolicy] = [:]

    /// An empty book: every tenant has the built-in policy.
    public init() {}

    /// The policy in force for `tenant`: its record, else the default, else the built-in.
    public func policy(forTenant tenant: String) -> Etcron_V1_TargetPolicy {
        records[.tenant(tenant)] ?? records[.default] ?? .builtIn
    }

    /// Applies one watch event on ``JobKeys/targetPolicies``; returns the record when it
    /// cannot be read (its scope then falls back, as if it were absent).
    public mutating func apply(_ event: WatchEvent, keys: JobKeys) -> CorruptRecord? {
        let key = event.kv.keyString
        guard case .put = event.kind else {
            if case .targetPolicy(let scope)? = RecordKey(key, keys: keys) { records[scope] = nil }
            return nil
        }
        return apply(key: key, value: event.kv.value, keys: keys)
    }

    /// Applies one stored record.
    public mutating func apply(key: String, value: Data, keys: JobKeys) -> CorruptRecord? {
        switch StoredTargetPolicy.decode(key: key, value: value, keys: keys) {
        case .success(let stored):
            records[stored.scope] = stored.policy
            return nil
        case .failure(let corrupt):
            if case .targetPolicy(let scope)? = RecordKey(key, keys: keys) { records[scope] = nil }
            return corrupt
        case nil:
            return nil
        }
    }

    /// Every record under `keys`, read at one revision.
    public static func load(client: any EtcdKV, keys: JobKeys) async throws(JobStoreError) -> (
        book: TargetPolicyBook, revision: Int64, corrupt: [CorruptRecord]
    ) {
        let read: (revision: Int64, kvs: [KeyValue])
        do {
            read = try await client.rangeAll(.prefix(keys.targetPolicies))
        } catch {
            throw .etcd(error, while: "reading the target policies")
        }
        var book = TargetPolicyBook()
        var corrupt: [CorruptRecord] = []
        for kv in read.kvs {
            if let bad = book.apply(key: kv.keyString, value: kv.value, keys: keys) { corrupt.append(bad) }
        }
        return (book, read.revision, corrupt)
    }
}
