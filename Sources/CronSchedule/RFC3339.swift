/// Formats and parses RFC 3339 timestamps (`2025-11-02T01:30:00-04:00`) without
/// Foundation's date formatters, which are slow and locale-sensitive.
public enum RFC3339 {
    /// Formats an instant as RFC 3339 with the offset of `timeZone` at that instant,
    /// e.g. `2025-11-02T01:30:00-04:00`; UTC is written `Z`.
    public static func format(_ instant: CronInstant, in timeZone: CronTimeZone) -> String {
        format(instant, offsetSeconds: timeZone.offset(at: instant))
    }

    /// Formats an instant as RFC 3339 shifted by a fixed offset in seconds east of UTC.
    ///
    /// Offsets that are not whole minutes (some historical local mean times) are
    /// rounded toward zero in the printed offset, as RFC 3339 has no seconds there;
    /// the printed local time still uses the exact offset.
    public static func format(_ instant: CronInstant, offsetSeconds: Int) -> String {
        let clamped = min(max(instant.secondsSinceEpoch, CivilTime.minimumSecond), CivilTime.maximumSecond)
        let (day, secondOfDay) = CivilTime.split(clamped + Int64(offsetSeconds))
        let (year, month, dayOfMonth) = CivilTime.civilFromDays(day)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(dayOfMonth, 2)
        text += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if offsetSeconds == 0 { return text + "Z" }
        let minutes = Int64(abs(offsetSeconds) / 60)
        return text + (offsetSeconds < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; fractions are truncated to
    /// the second. Returns `nil` for anything else, including dates that do not exist.
    public static func parse(_ text: String) -> CronInstant? {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                value = value * 10 + Int64(c - 0x30)
            }
            return value
        }
        func isByte(_ at: Int, _ chars: String) -> Bool {
            at < b.count && chars.utf8.contains(b[at])
        }
        guard let year = number(0, 4), isByte(4, "-"), let month = number(5, 2), isByte(7, "-"),
              let day = number(8, 2), isByte(10, "Tt "), let hour = number(11, 2), isByte(13, ":"),
              let minute = number(14, 2), isByte(16, ":"), let second = number(17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        if isByte(index, ".") {
            index += 1
            let start = index
            while index < b.count, b[index] >= 0x30, b[index] <= 0x39 { index += 1 }
            guard index > start else { return nil }
        }
        var offset: Int64 = 0
        if isByte(index, "Zz"), index + 1 == b.count {
            offset = 0
        } else if isByte(index, "+-"), index + 6 == b.count, let oh = number(index + 1, 2), isByte(index + 3, ":"),
                  let om = number(index + 4, 2), oh < 24, om < 60 {
            offset = (oh * 3600 + om * 60) * (b[index] == 0x2D ? -1 : 1)
        } else {
            return nil
        }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        // A leap second (:60) is read as the following second, as POSIX time does.
        return CronInstant(secondsSinceEpoch: days * CivilTime.secondsPerDay + hour * 3600 + minute * 60 + second - offset)
    }

    /// Formats milliseconds since the epoch in UTC with exactly three fractional digits,
    /// e.g. `2026-01-01T02:30:00.120Z` (the API's timestamps).
    public static func utc(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let text = format(CronInstant(secondsSinceEpoch: seconds), offsetSeconds: 0)
        return text.dropLast() + "." + pad(milliseconds - seconds * 1000, 3) + "Z"
    }

    /// Parses like ``parse(_:)`` but keeps the fraction to the millisecond: milliseconds
    /// since the epoch, or nil.
    public static func parseMilliseconds(_ text: String) -> Int64? {
        guard let instant = parse(text) else { return nil }
        var milliseconds: Int64 = 0
        let bytes = Array(text.utf8)
        if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            var scale: Int64 = 100
            for byte in bytes[20...] {
                guard byte >= 0x30, byte <= 0x39 else { break }
                milliseconds += Int64(byte - 0x30) * scale
                scale /= 10
                if scale == 0 { break }
            }
        }
        return instant.secondsSinceEpoch * 1000 + milliseconds
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
