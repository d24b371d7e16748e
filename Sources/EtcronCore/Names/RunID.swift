import CronSchedule

/// Run IDs: derived from what the run is for, so that a retried or repeated decision can
/// never create a second run for the same scheduled time, and unique across jobs so that
/// targets can use them as idempotency keys.
public enum RunID {
    /// What every scheduled run's ID starts with; the padded time after it makes their
    /// keys sort by scheduled time.
    public static let scheduledPrefix = "s-"

    /// The run of a scheduled time: `s-<12-digit time>-<16 hex of tenant/name/time>`.
    /// Written into one buffer (the leader makes one per decision, thousands at the top of
    /// the hour); the same characters as `s-` + `JobKeys.paddedTime` + `-` + 16 hex digits.
    public static func scheduled(tenant: String, job: String, scheduledUnix: Int64) -> String {
        // FNV-1a 64 of "<tenant>/<job>@<time>", fed piece by piece (no string built).
        var hash = StableHash()
        hash.feed(tenant)
        hash.feed(byte: UInt8(ascii: "/"))
        hash.feed(job)
        hash.feed(byte: UInt8(ascii: "@"))
        let time = String(scheduledUnix)  // up to 15 characters are kept inline: no allocation
        hash.feed(time)
        // The padded time is of max(0, time): a negative time pads as 0.
        let digits = scheduledUnix < 0 ? "0".utf8 : time.utf8
        let value = hash.value
        return String(unsafeUninitializedCapacity: 2 + max(12, digits.count) + 1 + 16) { buffer in
            var count = 0
            func append(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            scheduledPrefix.utf8.forEach(append)
            for _ in digits.count..<max(12, digits.count) { append(UInt8(ascii: "0")) }
            digits.forEach(append)
            append(UInt8(ascii: "-"))
            for shift in stride(from: 60, through: 0, by: -4) {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF
                append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
            }
            return count
        }
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
