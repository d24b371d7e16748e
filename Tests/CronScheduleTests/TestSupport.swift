import CronSchedule
import Foundation

/// Parses an RFC 3339 literal in a test; a typo in a test is a test bug, so it traps.
func at(_ text: String) -> CronInstant {
    guard let instant = RFC3339.parse(text) else { fatalError("bad test timestamp \(text)") }
    return instant
}

/// The first `count` fire times after `from`, formatted in the schedule's zone.
func fires(
    _ expression: String, tz: String = "UTC", after from: String, count: Int = 5, seed: String? = nil
) throws -> [String] {
    let schedule = try CronSchedule(expression, timeZoneIdentifier: tz, seed: seed)
    return schedule.fireTimes(after: at(from)).prefix(count).map { RFC3339.format($0, in: schedule.timeZone) }
}

/// The last `count` fire times before `before`, latest first.
func previousFires(
    _ expression: String, tz: String = "UTC", before: String, count: Int = 5, seed: String? = nil
) throws -> [String] {
    let schedule = try CronSchedule(expression, timeZoneIdentifier: tz, seed: seed)
    var result: [String] = []
    var cursor = at(before)
    while result.count < count, let fire = schedule.previous(before: cursor) {
        result.append(RFC3339.format(fire, in: schedule.timeZone))
        cursor = fire
    }
    return result
}

/// The error a bad expression throws, or nil if it parses.
func parseError(_ expression: String, tz: String = "UTC", seed: String? = nil) -> CronScheduleError? {
    do {
        _ = try CronSchedule(expression, timeZoneIdentifier: tz, seed: seed)
        return nil
    } catch {
        return error
    }
}

/// SplitMix64: a deterministic generator, so random tests fail the same way every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random expression together with an independent model of what it matches, so the
/// reference evaluator never shares code with the parser it checks.
struct RandomExpression: CustomStringConvertible {
    var text: String
    var hasSeconds: Bool
    var seconds: Set<Int>
    var minutes: Set<Int>
    var hours: Set<Int>
    var daysOfMonth: Set<Int>
    var lastDay = false
    var lastWeekday = false
    var months: Set<Int>
    var weekdays: Set<Int>
    var lastOfWeekday: Set<Int> = []
    var nthWeekday: Set<[Int]> = []
    var dayOfMonthStar: Bool
    var dayOfWeekStar: Bool

    var description: String { text }

    /// Debian's fixed-time rule: 5 fields, minute and hour not starting with `*`.
    var isFixed: Bool { !hasSeconds && !minuteStar && !hourStar }
    var minuteStar: Bool
    var hourStar: Bool

    /// Whether a wall-clock date matches the day fields (weekday 0 = Sunday).
    func matchesDay(year: Int, month: Int, day: Int, weekday: Int, daysInMonth: Int) -> Bool {
        guard months.contains(month) else { return false }
        var lastWeekdayDay = daysInMonth
        var w = (weekday + (daysInMonth - day)) % 7
        while w == 0 || w == 6 {
            lastWeekdayDay -= 1
            w = (w + 6) % 7
        }
        let byDate = daysOfMonth.contains(day) || (lastDay && day == daysInMonth) || (lastWeekday && day == lastWeekdayDay)
        let byWeekday = weekdays.contains(weekday) || (lastOfWeekday.contains(weekday) && day + 7 > daysInMonth)
            || nthWeekday.contains([weekday, (day - 1) / 7 + 1])
        return dayOfMonthStar || dayOfWeekStar ? byDate && byWeekday : byDate || byWeekday
    }

    /// Hour fields that land in the hours DST changes touch (02:00 in most zones,
    /// midnight in Sao Paulo, 02:45 in Chatham).
    static let dstHours: [(String, Set<Int>)] = [
        ("2", [2]), ("1,2", [1, 2]), ("1-3", [1, 2, 3]), ("0-2/2", [0, 2]), ("2,3", [2, 3]), ("0", [0]), ("23,0", [23, 0]),
        ("3", [3]),
    ]

    static func random(
        using rng: inout SeededGenerator, allowSeconds: Bool = true, frequent: Bool = false, fixedAtDSTHours: Bool = false
    ) -> RandomExpression {
        let hasSeconds = !fixedAtDSTHours && allowSeconds && Int.random(in: 0..<6, using: &rng) == 0
        let (secondText, seconds, _) = hasSeconds ? timeField(0...59, &rng) : ("", [0], false)
        var (minuteText, minutes, minuteStar) = timeField(0...59, &rng)
        var (hourText, hours, hourStar) = frequent || Bool.random(using: &rng) ? ("*", Set(0...23), true) : timeField(0...23, &rng)
        if fixedAtDSTHours {
            let choice = dstHours[Int.random(in: 0..<dstHours.count, using: &rng)]
            (hourText, hours, hourStar) = (choice.0, choice.1, false)
            if minuteStar {
                let a = Int.random(in: 0...59, using: &rng)
                (minuteText, minutes, minuteStar) = ("\(a),\((a + 45) % 60)", [a, (a + 45) % 60], false)
            }
        }

        // Day of month: mostly `*`.
        var domText = "*"
        var dom = Set(1...31)
        var lastDay = false
        var lastWeekday = false
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: domText = "L"; dom = []; lastDay = true
        case 1: domText = "LW"; dom = []; lastWeekday = true
        case 2:
            let a = Int.random(in: 1...28, using: &rng)
            domText = "\(a),L"; dom = [a]; lastDay = true
        case 3:
            let a = Int.random(in: 1...20, using: &rng), b = Int.random(in: a...31, using: &rng)
            domText = "\(a)-\(b)"; dom = Set(a...b)
        case 4:
            let n = Int.random(in: 2...10, using: &rng)
            domText = "*/\(n)"; dom = Set(stride(from: 1, through: 31, by: n))
        default: break
        }
        // Month: mostly `*`.
        var monthText = "*"
        var months = Set(1...12)
        if Int.random(in: 0..<5, using: &rng) == 0 {
            let a = Int.random(in: 1...12, using: &rng)
            let names = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            let b = (a + Int.random(in: 0...11, using: &rng) - 1) % 12 + 1
            monthText = "\(names[a - 1].lowercased()),\(b)"
            months = [a, b]
        }
        // Day of week: mostly `*`.
        var dowText = "*"
        var weekdays = Set(0...6)
        var lastOf: Set<Int> = []
        var nth: Set<[Int]> = []
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: dowText = "1-5"; weekdays = Set(1...5)
        case 1: dowText = "SAT,sun"; weekdays = [6, 0]
        case 2:
            let w = Int.random(in: 0...7, using: &rng)
            dowText = "\(w)L"; weekdays = []; lastOf = [w % 7]
        case 3:
            let w = Int.random(in: 0...7, using: &rng), k = Int.random(in: 1...4, using: &rng)
            dowText = "\(w)#\(k)"; weekdays = []; nth = [[w % 7, k]]
        case 4:
            dowText = "*/2"; weekdays = [0, 2, 4, 6]
        case 5:
            let w = Int.random(in: 0...7, using: &rng)
            dowText = "\(w)"; weekdays = [w % 7]
        default: break
        }
        var text = [minuteText, hourText, domText, monthText, dowText].joined(separator: " ")
        if hasSeconds { text = secondText + " " + text }
        return RandomExpression(
            text: text, hasSeconds: hasSeconds, seconds: seconds, minutes: minutes, hours: hours, daysOfMonth: dom,
            lastDay: lastDay, lastWeekday: lastWeekday, months: months, weekdays: weekdays, lastOfWeekday: lastOf,
            nthWeekday: nth, dayOfMonthStar: domText.hasPrefix("*"), dayOfWeekStar: dowText.hasPrefix("*"),
            minuteStar: minuteStar, hourStar: hourStar)
    }

    /// A minute, second or hour field: text, values, starts with `*`.
    private static func timeField(_ range: ClosedRange<Int>, _ rng: inout SeededGenerator) -> (String, Set<Int>, Bool) {
        let max = range.upperBound
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return ("*", Set(range), true)
        case 1:
            let n = [2, 3, 5, 7, 10, 15, 20, 30][Int.random(in: 0..<8, using: &rng)] % (max + 1)
            let step = Swift.max(n, 1)
            return ("*/\(step)", Set(stride(from: 0, through: max, by: step)), true)
        case 2, 3:
            // Hours around DST changes (0-3) are the interesting ones.
            let a = max == 23 ? Int.random(in: 0...3, using: &rng) : Int.random(in: range, using: &rng)
            return ("\(a)", [a], false)
        case 4:
            let a = Int.random(in: range, using: &rng), b = Int.random(in: range, using: &rng)
            return ("\(a),\(b)", [a, b], false)
        case 5:
            let a = Int.random(in: 0...(max / 2), using: &rng), b = Int.random(in: a...max, using: &rng)
            return ("\(a)-\(b)", Set(a...b), false)
        case 6:
            let a = Int.random(in: 0...(max / 2), using: &rng), b = Int.random(in: a...max, using: &rng)
            let n = Int.random(in: 2...6, using: &rng)
            return ("\(a)-\(b)/\(n)", Set(stride(from: a, through: b, by: n)), false)
        default:
            let a = Int.random(in: 0...10, using: &rng), n = Int.random(in: 5...30, using: &rng)
            return ("\(a)/\(n)", Set(stride(from: a, through: max, by: n)), false)
        }
    }
}
