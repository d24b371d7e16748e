import Foundation

/// A second, deliberately plain model for schedules whose fire days are years apart: it
/// walks civil dates one day at a time with its own month lengths and weekday counter,
/// asks ``RandomExpression/matchesDay`` about each, and converts wall-clock times with
/// Foundation's `TimeZone`. It shares no code with the library and covers centuries in
/// a fraction of a second, which ``ReferenceEvaluator`` (minute by minute) cannot.
struct DayStepReference {
    let expression: RandomExpression
    let timeZone: TimeZone

    init(_ expression: RandomExpression, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.expression = expression
        self.timeZone = timeZone
    }

    /// The seconds of the day the schedule fires at, ascending.
    var timesOfDay: [Int] {
        var times: [Int] = []
        for hour in expression.hours {
            for minute in expression.minutes {
                for second in expression.seconds { times.append(hour * 3600 + minute * 60 + second) }
            }
        }
        return times.sorted()
    }

    /// The fire days (days since 1970-01-01) from 1 January of `firstYear` through
    /// 31 December of `lastYear`.
    func fireDays(from firstYear: Int, through lastYear: Int) -> [Int] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: firstYear, month: 1, day: 1))!
        var dayNumber = Int((start.timeIntervalSince1970 / 86_400).rounded(.down))
        var weekday = calendar.component(.weekday, from: start) - 1
        var days: [Int] = []
        for year in firstYear...lastYear {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            for month in 1...12 {
                let length = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
                for day in 1...length {
                    if expression.matchesDay(year: year, month: month, day: day, weekday: weekday, daysInMonth: length) {
                        days.append(dayNumber)
                    }
                    dayNumber += 1
                    weekday = (weekday + 1) % 7
                }
            }
        }
        return days
    }

    /// Every fire time (UTC seconds) in the years `firstYear...lastYear`. Meant for
    /// wall-clock times away from offset changes, where each has exactly one instant.
    func fireTimes(from firstYear: Int, through lastYear: Int) -> [Int64] {
        let times = timesOfDay
        var result: [Int64] = []
        for day in fireDays(from: firstYear, through: lastYear) {
            for time in times {
                let wall = day * 86_400 + time
                let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall)))
                let utc = wall - offset
                precondition(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc))) == offset,
                             "\(expression): \(wall) is next to an offset change")
                result.append(Int64(utc))
            }
        }
        return result
    }

    /// The longest wall-clock time between consecutive fire times over the 400-year
    /// cycle 2000-2399 (the calendar repeats after it, so the last fire day of the cycle
    /// is followed by the first one plus 146,097 days).
    func largestGapSeconds() -> Int64? {
        let days = fireDays(from: 2000, through: 2399)
        guard let first = days.first, let last = days.last else { return nil }
        var dayGap = first + 146_097 - last
        for (a, b) in zip(days, days.dropFirst()) { dayGap = max(dayGap, b - a) }
        let times = timesOfDay
        var largest = dayGap * 86_400 - (times.last! - times.first!)
        for (a, b) in zip(times, times.dropFirst()) { largest = max(largest, b - a) }
        return Int64(largest)
    }
}

extension RandomExpression {
    /// A model written by hand for a 5-field expression: the value sets each field
    /// selects, and whether the day fields start with `*` (Debian's AND rule).
    static func model(
        _ text: String, minutes: Set<Int>, hours: Set<Int>, daysOfMonth: Set<Int>, lastDay: Bool = false,
        lastWeekday: Bool = false, months: Set<Int>, weekdays: Set<Int>, lastOfWeekday: Set<Int> = [],
        nthWeekday: Set<[Int]> = [], dayOfMonthStar: Bool, dayOfWeekStar: Bool
    ) -> RandomExpression {
        let fields = text.split(separator: " ")
        return RandomExpression(
            text: text, hasSeconds: false, seconds: [0], minutes: minutes, hours: hours, daysOfMonth: daysOfMonth,
            lastDay: lastDay, lastWeekday: lastWeekday, months: months, weekdays: weekdays, lastOfWeekday: lastOfWeekday,
            nthWeekday: nthWeekday, dayOfMonthStar: dayOfMonthStar, dayOfWeekStar: dayOfWeekStar,
            minuteStar: fields[0].hasPrefix("*"), hourStar: fields[1].hasPrefix("*"))
    }
}
