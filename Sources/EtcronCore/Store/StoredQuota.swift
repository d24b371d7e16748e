import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// A quota record as read from etcd.
public struct StoredQuota: Sendable, Hashable {
    /// What it covers.
    public var scope: QuotaScope
    /// The limits (0 means unlimited), when they were set and why.
    public var quota: Etcron_V1_TenantQuota
    /// The revision of its last change.
    public var modRevision: Int64

    /// A stored quota.
    public init(scope: QuotaScope, quota: Etcron_V1_TenantQuota, modRevision: Int64) {
        self.scope = scope
        self.quota = quota
        self.modRevision = modRevision
    }

    /// Decodes the record at `kv`: nil when its key is not under ``JobKeys/quotas``; a
    /// ``CorruptRecord`` when the key names no tenant, the bytes are not a
    /// `Etcron_V1_TenantQuota`, or a limit is negative. Reports nothing; the caller does.
    public static func decode(_ kv: KeyValue, keys: JobKeys) -> Result<StoredQuota, CorruptRecord>? {
        decode(key: kv.keyString, value: kv.value, modRevision: kv.modRevision, keys: keys)
    }

    /// Decodes the record `value` stored at `key`, as ``decode(_:keys:)`` does.
    public static func decode(key: String, value: Data, modRevision: Int64 = 0, keys: JobKeys) -> Result<StoredQuota, CorruptRecord>? {
        guard key.hasPrefix(keys.quotas) else { return nil }
        guard case .quota(let scope)? = RecordKey(key, keys: keys) else {
            return .failure(CorruptRecord(key: key, reason: RecordKey.quotaKeyProblem(key, keys: keys) ?? "is not a quota key"))
        }
        let quota: Etcron_V1_TenantQuota
        do {
            quota = try Etcron_V1_TenantQuota(serializedBytes: value)
        } catch {
            return .failure(CorruptRecord(key: key, reason: "is not a valid quota record (\(value.count) bytes: \(error))"))
        }
        if quota.maxJobs < 0 {
            return .failure(CorruptRecord(key: key, reason: "has max_jobs \(quota.maxJobs); limits are 0 (unlimited) or more"))
        }
        if quota.maxRunningRuns < 0 {
            return .failure(CorruptRecord(key: key, reason: "has max_running_runs \(quota.maxRunningRuns); limits are 0 (unlimited) or more"))
        }
        return .success(StoredQuota(scope: scope, quota: quota, modRevision: modRevision))
    }
}

/// What setting a quota did.
public struct QuotaSetResult: Sendable, Hashable {
    /// `created`, `updated`, or `unchanged` (nothing was written).
    public var outcome: JobApplyResult.Outcome
    /// The record as stored now.
    public var stored: StoredQuota

    /// A result.
    public init(outcome: JobApplyResult.Outcome, stored: StoredQuota) {
        self.outcome = outcome
        self.stored = stored
    }
}
