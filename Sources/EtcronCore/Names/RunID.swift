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
        let time = DecimalDigits(scheduledUnix)
        hash.feed(time.bytes)
        // The padded time is of max(0, time): a negative time pads as 0.
        let digits = scheduledUnix < 0 ? [UInt8(ascii: "0")] : time.magnitudeDigits
        let padded = max(12, digits.count)
        let value = hash.value
        return String(unsafeUninitializedCapacity: 2 + padded + 1 + 16) { buffer in
            buffer[0] = UInt8(ascii: "s")
            buffer[1] = UInt8(ascii: "-")
            for index in 0..<padded {
                let fromEnd = padded - 1 - index
                buffer[2 + index] = fromEnd < digits.count ? digits[digits.count - 1 - fromEnd] : UInt8(ascii: "0")
            }
            buffer[2 + padded] = UInt8(ascii: "-")
            for index in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                buffer[3 + padded + index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 2 + padded + 1 + 16
        }
    }

    /// A time's decimal digits, without building a string.
    private struct DecimalDigits {
        /// The digits of its magnitude, most significant first.
        var magnitudeDigits: [UInt8] = []
        var negative: Bool

        init(_ value: Int64) {
            negative = value < 0
            var rest = value.magnitude
            repeat {
                magnitudeDigits.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            magnitudeDigits.reverse()
        }

        /// As `String(value)` spells it.
        var bytes: [UInt8] { negative ? [UInt8(ascii: "-")] + magnitudeDigits : magnitudeDigits }
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
