import CronSchedule

/// Run IDs: derived from what the run is for, so that a retried or repeated decision can
/// never create a second run for the same scheduled time, and unique across jobs so that
/// targets can use them as idempotency keys.
public enum RunID {
    /// The run of a scheduled time: `s-<12-digit time>-<16 hex of tenant/name/time>`.
    public static func scheduled(tenant: String, job: String, scheduledUnix: Int64) -> String {
        let hash = StableHash.fnv1a64("\(tenant)/\(job)@\(scheduledUnix)")
        return "s-" + JobKeys.paddedTime(scheduledUnix) + "-" + hex(hash)
    }

    /// The run of a manual trigger: `m-<trigger id>-<16 hex of tenant/name/trigger>`.
    public static func manual(tenant: String, job: String, triggerID: String) -> String {
        "m-" + triggerID + "-" + hex(StableHash.fnv1a64("\(tenant)/\(job)#\(triggerID)"))
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
