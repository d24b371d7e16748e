/// The 400-year Gregorian cycle, described by its kinds of year.
///
/// Which days a schedule fires on depends only on the month, its length and the weekday
/// it starts on, so a whole year is described by its *kind*: whether it is a leap year
/// and the weekday of 1 January (14 kinds). The calendar, weekdays included, repeats
/// every 400 years (146,097 days, a multiple of 7), so the kinds of those 400 years say
/// everything about how fire days are spread. ``FireGaps`` uses these tables to measure
/// a schedule from its 14 kinds of year instead of 4,800 months.
enum GregorianCycle {
    /// Days in 400 Gregorian years.
    static let days: Int64 = 146_097
    /// The same length in seconds.
    static let seconds: Int64 = days * CivilTime.secondsPerDay
    /// Number of kinds of year: 7 weekdays of 1 January, leap or not.
    static let kindCount = 14
    /// The first year of the cycle the tables describe; any year would do.
    static let firstYear: Int64 = 2000

    /// Kind of a year: the weekday of its 1 January (0 = Sunday), plus 7 if it is a leap year.
    static func kind(ofYear year: Int64) -> Int {
        let weekday = Int(CivilTime.weekday(ofDay: CivilTime.daysFromCivil(year: year, month: 1, day: 1)))
        return CivilTime.isLeapYear(year) ? weekday + 7 : weekday
    }

    /// Days in a year of a kind.
    static func length(ofKind kind: Int) -> Int64 {
        kind >= 7 ? 366 : 365
    }

    /// The kind of each year of the cycle, from ``firstYear``.
    static let kinds: [UInt8] = (0..<400).map { UInt8(kind(ofYear: firstYear + Int64($0))) }

    /// Every pair (kind of a year, kind of the year after) that occurs, the cycle's last
    /// year followed by its first. Fewer than 14 * 14: a leap year never follows a leap year.
    static let successions: [(Int, Int)] = {
        var seen = Set<Int>()
        var pairs: [(Int, Int)] = []
        for index in 0..<kinds.count {
            let pair = (Int(kinds[index]), Int(kinds[(index + 1) % kinds.count]))
            if seen.insert(pair.0 * kindCount + pair.1).inserted { pairs.append(pair) }
        }
        return pairs
    }()
}
