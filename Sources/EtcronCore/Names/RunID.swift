import CronSchedule

/// Run IDs: derived from what the run is for, so that a retried or repeated decision can
/// never create a second run for the same scheduled time, and unique across jobs so that
/// targets can use them as idempotency keys.
public enum RunID {
    /// What every scheduled run's ID starts with; the padded time after it makes their
    /// keys sort by scheduled time.
    public static let scheduledPrefix = "s-"

    /// The run of a scheduled time: `s-<12-digit time>-<16 hex of tenant/name/time>`.
    public static func scheduled(tenant: String, job: String, scheduledUnix: Int64) -> String {
        // FNV-1a 64 of "<tenant>/<job>@<time>", fed piece by piece (no string built).
        var hash = StableHash()
        hash.feed(tenant)
        hash.feed(CollectionOfOne(UInt8(ascii: "/")))
        hash.feed(job)
        hash.feed(CollectionOfOne(UInt8(ascii: "@")))
        hash.feed(String(scheduledUnix))
        return scheduledPrefix + JobKeys.paddedTime(scheduledUnix) + "-" + hex(hash.value)
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
