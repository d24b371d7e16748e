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
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        feed(tenant.utf8)
        feed(CollectionOfOne(UInt8(ascii: "/")))
        feed(job.utf8)
        feed(CollectionOfOne(UInt8(ascii: "@")))
        feed(String(scheduledUnix).utf8)
        return scheduledPrefix + JobKeys.paddedTime(scheduledUnix) + "-" + hex(hash)
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
