/// A calendar schedule compiled to bit sets: bit n set means value n matches.
///
/// Everything the evaluator asks ("next matching hour at or after 7?") is then a mask
/// and a `trailingZeroBitCount`, and a whole month's matching days are one 32-bit mask
/// (``dayMask(year:month:)``), so finding the next fire time costs a handful of integer
/// operations however sparse the schedule is.
struct CalendarFields: Sendable, Hashable {
    var seconds: UInt64
    var minutes: UInt64
    var hours: UInt64
    /// Bits 1...31.
    var daysOfMonth: UInt64
    /// `L` in day-of-month.
    var lastDayOfMonth: Bool
    /// `LW` in day-of-month.
    var lastWeekdayOfMonth: Bool
    /// Bits 1...12.
    var months: UInt64
    /// Bits 0...6, Sunday = 0.
    var daysOfWeek: UInt64
    /// `nL`: bit n set means the last weekday n of the month matches.
    var lastWeekdays: UInt64
    /// `n#k`: bit (n * 5 + k - 1) set means the k-th weekday n of the month matches.
    var nthWeekdays: UInt64
    /// Debian's rule: if either day field starts with `*`, a day must match both;
    /// otherwise it may match either.
    var daysMatchBoth: Bool

    init(_ fields: [ParsedField]) {
        seconds = fields[0].bits
        minutes = fields[1].bits
        hours = fields[2].bits
        daysOfMonth = fields[3].bits
        months = fields[4].bits
        daysOfWeek = fields[5].bits
        lastDayOfMonth = fields[3].elements.contains(.lastDayOfMonth)
        lastWeekdayOfMonth = fields[3].elements.contains(.lastWeekdayOfMonth)
        var last: UInt64 = 0
        var nth: UInt64 = 0
        for element in fields[5].elements {
            switch element {
            case .lastWeekday(let weekday): last |= 1 << UInt64(weekday)
            case .nthWeekday(let weekday, let k): nth |= 1 << UInt64(weekday * 5 + k - 1)
            default: break
            }
        }
        lastWeekdays = last
        nthWeekdays = nth
        daysMatchBoth = fields[3].startsWithStar || fields[5].startsWithStar
        secondCount = Int64(seconds.nonzeroBitCount)
        minuteCount = Int64(minutes.nonzeroBitCount)
        firesPerDay = Int64(hours.nonzeroBitCount) * minuteCount * secondCount
    }

    /// Cached popcounts for counting fire times.
    private(set) var secondCount: Int64
    private(set) var minuteCount: Int64
    private(set) var firesPerDay: Int64

    // MARK: Bit helpers

    /// The lowest set bit at or above `from`, if any (`from` may be 64 or more).
    @inline(__always)
    static func nextBit(_ bits: UInt64, atOrAbove from: Int64) -> Int64? {
        guard from < 64 else { return nil }
        let masked = bits & (~0 << UInt64(max(from, 0)))
        return masked == 0 ? nil : Int64(masked.trailingZeroBitCount)
    }

    /// The highest set bit at or below `from`, if any (`from` may be negative).
    @inline(__always)
    static func previousBit(_ bits: UInt64, atOrBelow from: Int64) -> Int64? {
        guard from >= 0 else { return nil }
        let masked = from >= 63 ? bits : bits & ((1 << UInt64(from + 1)) - 1)
        return masked == 0 ? nil : Int64(63 - masked.leadingZeroBitCount)
    }

    /// Number of set bits strictly below `limit` (0...64).
    @inline(__always)
    static func countBits(_ bits: UInt64, below limit: Int64) -> Int64 {
        if limit <= 0 { return 0 }
        if limit >= 64 { return Int64(bits.nonzeroBitCount) }
        return Int64((bits & ((1 << UInt64(limit)) - 1)).nonzeroBitCount)
    }

    @inline(__always)
    static func has(_ bits: UInt64, _ value: Int64) -> Bool {
        value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
    }

    // MARK: Days

    /// The days (bits 1...31) of a month on which the schedule fires, with `L`, `LW`,
    /// `nL`, `n#k` and the day-of-month/day-of-week combination applied.
    @inline(__always)
    func dayMask(year: Int64, month: Int64) -> UInt64 {
        let length = CivilTime.daysInMonth(year: year, month: month)
        let firstWeekday = CivilTime.weekday(ofDay: CivilTime.daysFromCivil(year: year, month: month, day: 1))
        return dayMask(length: length, firstWeekday: firstWeekday)
    }

    /// The same for any month of `length` days whose first day is `firstWeekday`
    /// (0 = Sunday): nothing else about a month matters, which is what lets
    /// ``FireGaps`` evaluate 28 kinds of month instead of every month of 400 years.
    @inline(__always)
    func dayMask(length: Int64, firstWeekday: Int64) -> UInt64 {
        let valid: UInt64 = ((1 << UInt64(length + 1)) - 1) & ~1
        let lastWeekday = (firstWeekday + length - 1) % 7

        var byDate = daysOfMonth
        if lastDayOfMonth { byDate |= 1 << UInt64(length) }
        if lastWeekdayOfMonth {
            let day = lastWeekday == 6 ? length - 1 : lastWeekday == 0 ? length - 2 : length
            byDate |= 1 << UInt64(day)
        }
        byDate &= valid

        var byWeekday: UInt64 = 0
        if daysOfWeek != 0 {
            // Rotate the weekday set so bit r means "day r+1 of this month", then repeat
            // it every 7 days.
            let shift = UInt64(firstWeekday)
            let pattern = ((daysOfWeek >> shift) | (daysOfWeek << (7 - shift))) & 0x7F
            byWeekday = (pattern | pattern << 7 | pattern << 14 | pattern << 21 | pattern << 28) << 1
        }
        if lastWeekdays != 0 {
            var set = lastWeekdays
            while set != 0 {
                let weekday = Int64(set.trailingZeroBitCount)
                set &= set - 1
                byWeekday |= 1 << UInt64(length - (lastWeekday - weekday + 7) % 7)
            }
        }
        if nthWeekdays != 0 {
            var set = nthWeekdays
            while set != 0 {
                let bit = Int64(set.trailingZeroBitCount)
                set &= set - 1
                let day = 1 + (bit / 5 - firstWeekday + 7) % 7 + 7 * (bit % 5)
                if day <= length { byWeekday |= 1 << UInt64(day) }
            }
        }
        byWeekday &= valid
        return daysMatchBoth ? byDate & byWeekday : byDate | byWeekday
    }

    // MARK: Wall-clock search

    /// The first matching wall-clock second at or after `from` and at or before `limit`
    /// (both as seconds since 1970-01-01T00:00:00 local time), if any.
    func nextWall(atOrAfter from: Int64, notAfter limit: Int64) -> Int64? {
        guard from <= limit else { return nil }
        let (startDay, secondOfDay) = CivilTime.split(from)
        var (year, month, day) = CivilTime.civilFromDays(startDay)
        var hour = secondOfDay / 3600
        var minute = secondOfDay / 60 % 60
        var second = secondOfDay % 60
        while true {
            // Month: jump to the next matching one, starting at its first second.
            if !Self.has(months, month) {
                if let next = Self.nextBit(months, atOrAbove: month + 1) {
                    month = next
                } else {
                    year += 1
                    month = Int64(months.trailingZeroBitCount)
                }
                day = 1; hour = 0; minute = 0; second = 0
                if CivilTime.daysFromCivil(year: year, month: month, day: 1) * CivilTime.secondsPerDay > limit { return nil }
            }
            let mask = dayMask(year: year, month: month)
            while let matchDay = Self.nextBit(mask, atOrAbove: day) {
                if matchDay != day { day = matchDay; hour = 0; minute = 0; second = 0 }
                while let matchHour = Self.nextBit(hours, atOrAbove: hour) {
                    if matchHour != hour { hour = matchHour; minute = 0; second = 0 }
                    while let matchMinute = Self.nextBit(minutes, atOrAbove: minute) {
                        if matchMinute != minute { minute = matchMinute; second = 0 }
                        if let matchSecond = Self.nextBit(seconds, atOrAbove: second) {
                            let result = CivilTime.daysFromCivil(year: year, month: month, day: day) * CivilTime.secondsPerDay
                                + hour * 3600 + minute * 60 + matchSecond
                            return result <= limit ? result : nil
                        }
                        minute += 1; second = 0
                    }
                    hour += 1; minute = 0; second = 0
                }
                day += 1; hour = 0; minute = 0; second = 0
            }
            // No day left in this month: move to the first second of the next month.
            if month == 12 { year += 1; month = 1 } else { month += 1 }
            day = 1; hour = 0; minute = 0; second = 0
            if CivilTime.daysFromCivil(year: year, month: month, day: 1) * CivilTime.secondsPerDay > limit { return nil }
        }
    }

    /// The last matching wall-clock second at or before `from` and at or after `limit`.
    func previousWall(atOrBefore from: Int64, notBefore limit: Int64) -> Int64? {
        guard from >= limit else { return nil }
        let (startDay, secondOfDay) = CivilTime.split(from)
        var (year, month, day) = CivilTime.civilFromDays(startDay)
        var hour = secondOfDay / 3600
        var minute = secondOfDay / 60 % 60
        var second = secondOfDay % 60
        while true {
            if !Self.has(months, month) {
                if let previous = Self.previousBit(months, atOrBelow: month - 1) {
                    month = previous
                } else {
                    year -= 1
                    month = Int64(63 - months.leadingZeroBitCount)
                }
                day = CivilTime.daysInMonth(year: year, month: month); hour = 23; minute = 59; second = 59
                if (CivilTime.daysFromCivil(year: year, month: month, day: day) + 1) * CivilTime.secondsPerDay <= limit { return nil }
            }
            let mask = dayMask(year: year, month: month)
            while let matchDay = Self.previousBit(mask, atOrBelow: day) {
                if matchDay != day { day = matchDay; hour = 23; minute = 59; second = 59 }
                while let matchHour = Self.previousBit(hours, atOrBelow: hour) {
                    if matchHour != hour { hour = matchHour; minute = 59; second = 59 }
                    while let matchMinute = Self.previousBit(minutes, atOrBelow: minute) {
                        if matchMinute != minute { minute = matchMinute; second = 59 }
                        if let matchSecond = Self.previousBit(seconds, atOrBelow: second) {
                            let result = CivilTime.daysFromCivil(year: year, month: month, day: day) * CivilTime.secondsPerDay
                                + hour * 3600 + minute * 60 + matchSecond
                            return result >= limit ? result : nil
                        }
                        minute -= 1; second = 59
                    }
                    hour -= 1; minute = 59; second = 59
                }
                day -= 1; hour = 23; minute = 59; second = 59
            }
            if month == 1 { year -= 1; month = 12 } else { month -= 1 }
            day = CivilTime.daysInMonth(year: year, month: month); hour = 23; minute = 59; second = 59
            if (CivilTime.daysFromCivil(year: year, month: month, day: day) + 1) * CivilTime.secondsPerDay <= limit { return nil }
        }
    }

    // MARK: Counting

    /// Number of matching seconds of a matching day that are earlier than `secondOfDay`
    /// (0...86400), in O(1).
    @inline(__always)
    func firesInDay(before secondOfDay: Int64) -> Int64 {
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60
        var count = Self.countBits(hours, below: hour) * minuteCount * secondCount
        if Self.has(hours, hour) {
            count += Self.countBits(minutes, below: minute) * secondCount
            if Self.has(minutes, minute) { count += Self.countBits(seconds, below: second) }
        }
        return count
    }

    /// Whether the schedule fires on a day (days since 1970-01-01, local).
    @inline(__always)
    func matches(day: Int64) -> Bool {
        let (year, month, dayOfMonth) = CivilTime.civilFromDays(day)
        return Self.has(months, month) && Self.has(dayMask(year: year, month: month), dayOfMonth)
    }

    /// Number of matching days in `first...last`, one mask per month.
    func matchingDays(from first: Int64, through last: Int64) -> Int64 {
        guard first <= last else { return 0 }
        var (year, month, _) = CivilTime.civilFromDays(first)
        var count: Int64 = 0
        var monthStart = CivilTime.daysFromCivil(year: year, month: month, day: 1)
        while monthStart <= last {
            let length = CivilTime.daysInMonth(year: year, month: month)
            if Self.has(months, month) {
                let from = max(first - monthStart + 1, 1)
                let to = min(last - monthStart + 1, length)
                if from <= to {
                    let range: UInt64 = ((1 << UInt64(to + 1)) - 1) & ~((1 << UInt64(from)) - 1)
                    count += Int64((dayMask(year: year, month: month) & range).nonzeroBitCount)
                }
            }
            monthStart += length
            if month == 12 { year += 1; month = 1 } else { month += 1 }
        }
        return count
    }

    /// Number of matching wall-clock seconds in `from...through`.
    func countWall(from: Int64, through: Int64) -> Int64 {
        guard from <= through else { return 0 }
        let (firstDay, firstSecond) = CivilTime.split(from)
        let (lastDay, lastSecond) = CivilTime.split(through)
        if firstDay == lastDay {
            guard matches(day: firstDay) else { return 0 }
            return firesInDay(before: lastSecond + 1) - firesInDay(before: firstSecond)
        }
        var count: Int64 = 0
        if matches(day: firstDay) { count += firesPerDay - firesInDay(before: firstSecond) }
        if matches(day: lastDay) { count += firesInDay(before: lastSecond + 1) }
        count += matchingDays(from: firstDay + 1, through: lastDay - 1) * firesPerDay
        return count
    }
}
