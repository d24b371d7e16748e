import Foundation

/// A deliberately simple cron evaluator for the differential test: it steps through
/// every UTC minute (or second) of a window, asks Foundation's `TimeZone` for the
/// offset, and applies Debian's DST rules literally. Slow, obvious, and sharing no code
/// with the library.
struct ReferenceEvaluator {
    let expression: RandomExpression
    let timeZone: TimeZone
    private var calendar: Calendar
    private var dayCache: [Int: Bool] = [:]

    init(_ expression: RandomExpression, timeZone: TimeZone) {
        self.expression = expression
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        self.calendar = calendar
    }

    /// Wall-clock seconds (local time as if it were UTC) at a UTC instant.
    private func wall(_ utc: Int) -> Int {
        utc + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc)))
    }

    /// Whether the schedule's day fields match the wall-clock day containing `wall`.
    private mutating func dayMatches(_ wall: Int) -> Bool {
        let day = Int((Double(wall) / 86_400).rounded(.down))
        if let cached = dayCache[day] { return cached }
        let date = Date(timeIntervalSince1970: TimeInterval(day * 86_400))
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        let length = calendar.range(of: .day, in: .month, for: date)!.count
        let result = expression.matchesDay(
            year: parts.year!, month: parts.month!, day: parts.day!, weekday: parts.weekday! - 1, daysInMonth: length)
        dayCache[day] = result
        return result
    }

    private mutating func matches(_ wall: Int) -> Bool {
        let secondOfDay = ((wall % 86_400) + 86_400) % 86_400
        return expression.hours.contains(secondOfDay / 3600) && expression.minutes.contains(secondOfDay / 60 % 60)
            && expression.seconds.contains(secondOfDay % 60) && dayMatches(wall)
    }

    /// Fire times `t` with `from < t <= through` (UTC seconds).
    mutating func fires(after from: Int, through: Int) -> [Int] {
        let step = expression.hasSeconds ? 1 : 60
        var result: [Int] = []
        if !expression.isFixed {
            // Real elapsed time: every instant whose wall-clock time matches.
            var utc = from / 60 * 60
            while utc <= through {
                let offsetWall = wall(utc)
                for second in stride(from: 0, to: 60, by: step) where utc + second > from && utc + second <= through {
                    if matches(offsetWall + second) { result.append(utc + second) }
                }
                utc += 60
            }
            return result
        }
        // Fixed times: a wall-clock minute fires the first time the clock shows it; wall
        // minutes jumped over fire at the first instant after the jump. A day of lead-in
        // lets "first time" see an earlier occurrence before the window.
        var seen = Set<Int>()
        var utc = (from / 60 + 1) * 60 - 86_400
        var previousWall = wall(utc - 60)
        while utc <= through {
            let w = wall(utc)
            var fire = matches(w) && !seen.contains(w)
            if w - previousWall > 60 {
                var skipped = previousWall + 60
                while skipped < w {
                    if matches(skipped) { fire = true }
                    skipped += 60
                }
            }
            seen.insert(w)
            previousWall = w
            if fire && utc > from { result.append(utc) }
            utc += 60
        }
        return result
    }
}
