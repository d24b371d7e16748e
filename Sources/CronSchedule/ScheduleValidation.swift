/// Refuses calendar schedules that never fire or fire less often than the horizon.
///
/// The Gregorian calendar, weekdays included, repeats exactly every 400 years (146,097
/// days, a multiple of 7), so scanning one 400-year cycle finds every gap between fire
/// days that can ever occur. The scan is skipped for the common schedules that
/// obviously fire in every month they name.
enum ScheduleValidation {
    /// Days in a 400-year Gregorian cycle.
    static let cycleDays: Int64 = 146_097

    static func validate(_ fields: CalendarFields, expression: String) throws(CronScheduleError) {
        if firesInEveryNamedMonth(fields) { return }
        var firstDay: Int64?
        var previousDay: Int64 = 0
        var largestGap: Int64 = 0
        for year in Int64(2000)..<2400 {
            var monthBits = fields.months
            while monthBits != 0 {
                let month = Int64(monthBits.trailingZeroBitCount)
                monthBits &= monthBits - 1
                let mask = fields.dayMask(year: year, month: month)
                guard mask != 0 else { continue }
                let monthStart = CivilTime.daysFromCivil(year: year, month: month, day: 1) - 1
                let first = monthStart + Int64(mask.trailingZeroBitCount)
                let last = monthStart + Int64(63 - mask.leadingZeroBitCount)
                if firstDay == nil {
                    firstDay = first
                } else {
                    largestGap = max(largestGap, first - previousDay)
                }
                previousDay = last
            }
        }
        guard let firstDay else {
            throw CronScheduleError(
                code: .neverFires, text: expression,
                message: "never fires: no date matches its day-of-month, month and day-of-week fields together")
        }
        largestGap = max(largestGap, firstDay + cycleDays - previousDay)
        if largestGap > Int64(CronSchedule.horizonDays) {
            throw CronScheduleError(
                code: .beyondHorizon, text: expression,
                message: "fires too rarely: its fire times can be \(largestGap) days apart, beyond the horizon of \(CronSchedule.horizonDays) days (8 years)")
        }
    }

    /// `n#k` bits with k at most 4: every month has a fourth of each weekday.
    private static let nthUpToFourth: UInt64 = (0..<7).reduce(0) { $0 | (UInt64(0b1111) << UInt64($1 * 5)) }
    /// Days 1...28 exist in every month.
    private static let daysInEveryMonth: UInt64 = ((1 << 29) - 1) & ~1
    private static let allDays: UInt64 = ((1 << 32) - 1) & ~1

    /// True when each month in the month field certainly has a fire day, so fire days
    /// are never more than about a year apart.
    private static func firesInEveryNamedMonth(_ fields: CalendarFields) -> Bool {
        let byDateEveryMonth = fields.daysOfMonth & daysInEveryMonth != 0 || fields.lastDayOfMonth || fields.lastWeekdayOfMonth
        let byWeekdayEveryMonth = fields.daysOfWeek != 0 || fields.lastWeekdays != 0 || fields.nthWeekdays & nthUpToFourth != 0
        if fields.daysMatchBoth {
            let everyDate = fields.daysOfMonth & allDays == allDays
            let everyWeekday = fields.daysOfWeek == 0x7F
            return (everyDate && byWeekdayEveryMonth) || (everyWeekday && byDateEveryMonth)
        }
        return byDateEveryMonth || byWeekdayEveryMonth
    }
}
