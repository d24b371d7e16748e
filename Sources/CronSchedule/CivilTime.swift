/// Proleptic Gregorian calendar arithmetic on plain integers.
///
/// Foundation's `Calendar` is far too slow for the scheduling hot path on Linux, so the
/// conversions between day numbers and civil dates are done here with Howard Hinnant's
/// `days_from_civil` / `civil_from_days` algorithms, which are exact for every date and
/// use only integer division.
enum CivilTime {
    /// Seconds in a civil day (cron ignores leap seconds, as POSIX time does).
    static let secondsPerDay: Int64 = 86_400

    /// 0001-01-01T00:00:00 as seconds since the epoch.
    static let minimumSecond: Int64 = daysFromCivil(year: 1, month: 1, day: 1) * secondsPerDay
    /// 9999-12-31T23:59:59 as seconds since the epoch.
    static let maximumSecond: Int64 = daysFromCivil(year: 10_000, month: 1, day: 1) * secondsPerDay - 1

    /// Days since 1970-01-01 of a civil date. Month 1...12, day 1...31.
    @inline(__always)
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number (days since 1970-01-01).
    @inline(__always)
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Day of the week of a day number: 0 = Sunday ... 6 = Saturday.
    @inline(__always)
    static func weekday(ofDay days: Int64) -> Int64 {
        // 1970-01-01 was a Thursday (4).
        let w = (days + 4) % 7
        return w < 0 ? w + 7 : w
    }

    /// Whether a year has a February 29.
    @inline(__always)
    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Number of days in a month of a year.
    @inline(__always)
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Floor division, so that instants before 1970 fall into the right day.
    @inline(__always)
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Splits seconds into a day number and the second of that day (0..<86400).
    @inline(__always)
    static func split(_ seconds: Int64) -> (day: Int64, secondOfDay: Int64) {
        let day = floorDivide(seconds, secondsPerDay)
        return (day, seconds - day * secondsPerDay)
    }
}
