/// Measures how far apart a calendar schedule's fire times can be, and refuses one that
/// never fires.
///
/// The calendar repeats every 400 years (see ``GregorianCycle``), so the largest gap
/// between fire days over one cycle is the largest there can ever be. Rather than
/// evaluate 4,800 months, it evaluates each kind of month (length and first weekday: at
/// most 28) once, assembles the 14 kinds of year from them, and then walks the cycle
/// year by year (400 steps), or, when every kind of year has a fire day, only through
/// the pairs of kinds that follow each other (at most 21). Parsing pays for this once,
/// in about a microsecond for common schedules.
enum FireGaps {
    /// Where fire days are within a month or a year, counted from its day 0 (the day
    /// before its first).
    private struct FireDays {
        var first: Int64
        var last: Int64
        /// The largest distance between consecutive fire days inside the stretch.
        var inner: Int64
    }

    private static let allMonths: UInt64 = ((1 << 13) - 1) & ~1
    private static let allDays: UInt64 = ((1 << 32) - 1) & ~1
    private static let allWeekdays: UInt64 = 0x7F

    /// The largest number of days between consecutive fire days (1 for a daily
    /// schedule); throws ``CronScheduleError/Code/neverFires`` if no day ever matches.
    static func largestDayGap(_ fields: CalendarFields, expression: String) throws(CronScheduleError) -> Int64 {
        let everyDate = fields.daysMatchBoth && fields.daysOfMonth & allDays == allDays
        if everyDate && fields.months & allMonths == allMonths && fields.lastWeekdays == 0 && fields.nthWeekdays == 0
            && fields.daysOfWeek & allWeekdays != 0 {
            // Plain weekdays in every month: the weekly pattern runs on unbroken.
            let weekdays = fields.daysOfWeek & allWeekdays
            let lowest = Int64(weekdays.trailingZeroBitCount)
            let highest = Int64(63 - weekdays.leadingZeroBitCount)
            return max(largestStep(weekdays), lowest + 7 - highest)
        }

        // Without a weekday condition (`LW` is one) months differ only in length and
        // years only in being leap years, so two sample years stand for all 14 kinds.
        let weekdayFree = fields.daysMatchBoth && fields.daysOfWeek & allWeekdays == allWeekdays && !fields.lastWeekdayOfMonth
        var months = MonthKinds(fields: fields, weekdayFree: weekdayFree)
        let summaries: [FireDays?]
        if weekdayFree {
            let common = yearSummary(kind: 0, fields.months, &months)
            let leap = yearSummary(kind: 7, fields.months, &months)
            summaries = (0..<GregorianCycle.kindCount).map { $0 >= 7 ? leap : common }
        } else {
            summaries = (0..<GregorianCycle.kindCount).map { yearSummary(kind: $0, fields.months, &months) }
        }

        if summaries.allSatisfy({ $0 == nil }) {
            throw CronScheduleError(
                code: .neverFires, text: expression,
                message: "never fires: no date matches its day-of-month, month and day-of-week fields together")
        }
        if summaries.allSatisfy({ $0 != nil }) {
            // Every year has a fire day, so consecutive fire days are in the same year or
            // in consecutive ones.
            var largest: Int64 = 0
            for case let summary? in summaries { largest = max(largest, summary.inner) }
            for (kind, nextKind) in GregorianCycle.successions {
                guard let this = summaries[kind], let next = summaries[nextKind] else { continue }
                largest = max(largest, GregorianCycle.length(ofKind: kind) + next.first - this.last)
            }
            return largest
        }
        return largestGapOverCycle(summaries)
    }

    /// Walks the 400 years of the cycle, for schedules that skip whole years.
    private static func largestGapOverCycle(_ summaries: [FireDays?]) -> Int64 {
        var firstDay: Int64?
        var lastDay: Int64 = 0
        var largest: Int64 = 0
        var yearStart: Int64 = 0
        for kind in GregorianCycle.kinds {
            if let summary = summaries[Int(kind)] {
                if firstDay == nil {
                    firstDay = yearStart + summary.first
                } else {
                    largest = max(largest, yearStart + summary.first - lastDay)
                }
                largest = max(largest, summary.inner)
                lastDay = yearStart + summary.last
            }
            yearStart += GregorianCycle.length(ofKind: Int(kind))
        }
        // The cycle's last fire day is followed by the next cycle's first.
        return max(largest, (firstDay ?? 0) + GregorianCycle.days - lastDay)
    }

    /// The fire days of a kind of year, assembled from its months.
    private static func yearSummary(kind: Int, _ monthBits: UInt64, _ months: inout MonthKinds) -> FireDays? {
        let leap = kind >= 7
        var weekday = Int64(kind % 7)
        var monthStart: Int64 = 0  // day 0 of the month, counted from day 0 of the year
        var result: FireDays?
        for month in Int64(1)...12 {
            let length = month == 2 ? (leap ? 29 : 28) : CivilTime.daysInMonth(year: 1, month: month)
            defer {
                monthStart += length
                weekday = (weekday + length) % 7
            }
            guard CalendarFields.has(monthBits, month), let days = months.fireDays(length: length, firstWeekday: weekday) else {
                continue
            }
            if var summary = result {
                summary.inner = max(summary.inner, days.inner, monthStart + days.first - summary.last)
                summary.last = monthStart + days.last
                result = summary
            } else {
                result = FireDays(first: monthStart + days.first, last: monthStart + days.last, inner: days.inner)
            }
        }
        return result
    }

    /// Fire days of each kind of month, evaluated on first use.
    private struct MonthKinds {
        let fields: CalendarFields
        /// Weekday-free schedules see only a month's length.
        let weekdayFree: Bool
        private var known: UInt32 = 0
        private var facts = [FireDays?](repeating: nil, count: 28)

        init(fields: CalendarFields, weekdayFree: Bool) {
            self.fields = fields
            self.weekdayFree = weekdayFree
        }

        mutating func fireDays(length: Int64, firstWeekday: Int64) -> FireDays? {
            let weekday = weekdayFree ? 0 : firstWeekday
            let index = Int((length - 28) * 7 + weekday)
            if known & (1 << UInt32(index)) != 0 { return facts[index] }
            known |= 1 << UInt32(index)
            let mask = fields.dayMask(length: length, firstWeekday: weekday)
            if mask != 0 {
                let first = Int64(mask.trailingZeroBitCount)
                facts[index] = FireDays(first: first, last: Int64(63 - mask.leadingZeroBitCount), inner: largestStep(mask))
            }
            return facts[index]
        }
    }

    /// The largest number of seconds between consecutive wall-clock fire times, given the
    /// largest number of days between fire days: the widest of the gaps between
    /// consecutive seconds, minutes and hours of a fire day, and the gap from the last
    /// fire time of one fire day to the first of the next.
    static func largestGapSeconds(_ fields: CalendarFields, dayGap: Int64) -> Int64 {
        let secondSpan = span(fields.seconds)
        let minuteSpan = span(fields.minutes) * 60 + secondSpan
        let daySpan = span(fields.hours) * 3600 + minuteSpan
        return max(
            dayGap * CivilTime.secondsPerDay - daySpan,
            largestStep(fields.hours) * 3600 - minuteSpan,
            largestStep(fields.minutes) * 60 - secondSpan,
            largestStep(fields.seconds))
    }

    /// Highest set bit minus lowest (0 for one bit or none).
    private static func span(_ bits: UInt64) -> Int64 {
        bits == 0 ? 0 : Int64(63 - bits.leadingZeroBitCount - bits.trailingZeroBitCount)
    }

    /// The largest distance between consecutive set bits (0 for one bit or none).
    static func largestStep(_ bits: UInt64) -> Int64 {
        guard bits.nonzeroBitCount >= 2 else { return 0 }
        // Shift runs of ones and zeros out from the lowest set bit; a run of z zeros is a
        // step of z + 1, adjacent bits a step of 1. Swift's `>>` gives 0 past the width.
        var rest = bits >> UInt64(bits.trailingZeroBitCount)
        var largest: Int64 = 1
        while true {
            rest >>= UInt64((~rest).trailingZeroBitCount)
            if rest == 0 { return largest }
            let zeros = rest.trailingZeroBitCount
            largest = max(largest, Int64(zeros) + 1)
            rest >>= UInt64(zeros)
        }
    }
}
