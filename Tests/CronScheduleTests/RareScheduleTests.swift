import CronSchedule
import Foundation
import Testing

/// Schedules whose fire times are years apart: Debian's cron accepts and fires them, so
/// etcron must too, and must find their fire times however far away.
@Suite("Rare schedules: fire times years apart are accepted and found")
struct RareScheduleTests {
    /// Hand-written models of the rare schedules, for ``DayStepReference``.
    static let models: [String: RandomExpression] = [
        // Day-of-month starts with `*`, so both day fields must match: 1 November (31
        // does not exist in November) when it is a Sunday.
        "44 23 */30 11 7": .model(
            "44 23 */30 11 7", minutes: [44], hours: [23], daysOfMonth: [1, 31], months: [11], weekdays: [0],
            dayOfMonthStar: true, dayOfWeekStar: false),
        // `*/15` in day-of-week is 0 only (15 is past 7): 29 September when it is a Sunday.
        "50 21 29 SEP */15": .model(
            "50 21 29 SEP */15", minutes: [50], hours: [21], daysOfMonth: [29], months: [9], weekdays: [0],
            dayOfMonthStar: false, dayOfWeekStar: true),
        // Every minute of four hours on 29 January when it is a Sunday.
        "* 10,11,18,21 29 1 */10": .model(
            "* 10,11,18,21 29 1 */10", minutes: Set(0...59), hours: [10, 11, 18, 21], daysOfMonth: [29], months: [1],
            weekdays: [0], dayOfMonthStar: false, dayOfWeekStar: true),
        // 29 February when it is a Monday (the fifth Monday of February).
        "0 0 * 2 1#5": .model(
            "0 0 * 2 1#5", minutes: [0], hours: [0], daysOfMonth: Set(1...31), months: [2], weekdays: [],
            nthWeekday: [[1, 5]], dayOfMonthStar: true, dayOfWeekStar: false),
    ]

    @Test("Schedules that fire years apart are accepted", arguments: [
        "44 23 */30 11 7", "50 21 29 SEP */15", "* 10,11,18,21 29 1 */10", "0 0 * 2 1#5", "0 0 */29 2 1", "0 0 29 2 1#5",
    ])
    func accepted(expression: String) {
        #expect(parseError(expression) == nil, "\(String(describing: parseError(expression)))")
    }

    @Test("Only schedules that never fire are refused, with neverFires", arguments: [
        "0 0 30 2 *", "0 0 31 4 *", "0 0 31 4,6,9,11 *", "0 0 30-31 2 *", "0 0 31 2 */7", "0 0 0 30 2 *",
    ])
    func neverFires(expression: String) throws {
        let error = try #require(parseError(expression))
        #expect(error.code == .neverFires)
        #expect(error.description.contains("never fires"))
    }

    @Test("next lists the fire times years apart", arguments: [
        ("44 23 */30 11 7", "2020-11-02T00:00:00Z", ["2026-11-01T23:44:00Z", "2037-11-01T23:44:00Z", "2043-11-01T23:44:00Z"]),
        ("50 21 29 SEP */15", "2024-09-30T00:00:00Z", ["2030-09-29T21:50:00Z", "2041-09-29T21:50:00Z"]),
        ("* 10,11,18,21 29 1 */10", "2023-01-29T21:58:30Z", ["2023-01-29T21:59:00Z", "2034-01-29T10:00:00Z", "2034-01-29T10:01:00Z"]),
        ("0 0 * 2 1#5", "2016-03-01T00:00:00Z", ["2044-02-29T00:00:00Z", "2072-02-29T00:00:00Z"]),
        ("0 0 * 2 1#5", "0001-01-01T00:00:00Z", ["0016-02-29T00:00:00Z"]),
        ("0 0 * 2 1#5", "9960-03-01T00:00:00Z", ["9988-02-29T00:00:00Z"]),
    ])
    func nextFireTimes(expression: String, after: String, expected: [String]) throws {
        #expect(try fires(expression, after: after, count: expected.count) == expected)
    }

    @Test("previous lists the fire times years apart, latest first", arguments: [
        ("44 23 */30 11 7", "2037-11-01T23:44:00Z", ["2026-11-01T23:44:00Z", "2020-11-01T23:44:00Z", "2015-11-01T23:44:00Z"]),
        ("50 21 29 SEP */15", "2041-09-01T00:00:00Z", ["2030-09-29T21:50:00Z", "2024-09-29T21:50:00Z"]),
        ("* 10,11,18,21 29 1 */10", "2034-01-29T10:00:00Z", ["2023-01-29T21:59:00Z", "2023-01-29T21:58:00Z"]),
        ("0 0 * 2 1#5", "9999-12-31T23:59:59Z", ["9988-02-29T00:00:00Z", "9960-02-29T00:00:00Z"]),
    ])
    func previousFireTimes(expression: String, before: String, expected: [String]) throws {
        #expect(try previousFires(expression, before: before, count: expected.count) == expected)
    }

    @Test("The supported range ends the search, not a horizon")
    func rangeEnds() throws {
        let schedule = try CronSchedule("0 0 * 2 1#5")
        #expect(schedule.next(after: at("9988-03-01T00:00:00Z")) == nil)
        #expect(schedule.previous(before: at("0016-02-29T00:00:00Z")) == nil)
    }

    @Test("next, previous, count and mostRecent agree with a day-by-day walk over a century", arguments: [
        ("44 23 */30 11 7", "UTC"), ("44 23 */30 11 7", "America/New_York"),
        ("50 21 29 SEP */15", "UTC"), ("50 21 29 SEP */15", "Australia/Lord_Howe"),
        ("* 10,11,18,21 29 1 */10", "UTC"), ("* 10,11,18,21 29 1 */10", "America/New_York"),
        ("0 0 * 2 1#5", "UTC"), ("0 0 * 2 1#5", "Asia/Kathmandu"),
    ])
    func agreesWithDayWalk(expression: String, zone: String) throws {
        let schedule = try CronSchedule(expression, timeZoneIdentifier: zone)
        let reference = DayStepReference(Self.models[expression]!, timeZone: TimeZone(identifier: zone)!)
        let start = at("2000-01-02T00:00:00Z")
        let end = at("2099-12-30T00:00:00Z")
        let expected = reference.fireTimes(from: 2000, through: 2099).filter { $0 > start.secondsSinceEpoch && $0 <= end.secondsSinceEpoch }
        #expect(expected.count >= 3)

        let forward = Array(schedule.fireTimes(after: start).prefix { $0 <= end }).map(\.secondsSinceEpoch)
        #expect(forward == expected)
        var backward: [Int64] = []
        var cursor = end.adding(seconds: 1)
        while let fire = schedule.previous(before: cursor), fire > start {
            backward.append(fire.secondsSinceEpoch)
            cursor = fire
        }
        #expect(Array(backward.reversed()) == expected)
        #expect(schedule.count(after: start, atOrBefore: end) == expected.count)

        // From the middle of every gap between fire days: both ends of the gap.
        for (a, b) in zip(expected, expected.dropFirst()) where b - a > 86_400 {
            let middle = CronInstant(secondsSinceEpoch: a + (b - a) / 2)
            #expect(schedule.next(after: middle)?.secondsSinceEpoch == b, "\(expression) after \(middle)")
            #expect(schedule.previous(before: middle)?.secondsSinceEpoch == a, "\(expression) before \(middle)")
            #expect(schedule.mostRecent(atOrBefore: middle, notBefore: start)?.secondsSinceEpoch == a)
            #expect(schedule.mostRecent(atOrBefore: middle, notBefore: CronInstant(secondsSinceEpoch: a + 1)) == nil)
            #expect(schedule.count(after: CronInstant(secondsSinceEpoch: a), atOrBefore: CronInstant(secondsSinceEpoch: b)) == 1)
        }
    }

    /// A random schedule with rare day fields: one month, a late or stepped day of the
    /// month, a fifth, last or plain weekday, combined by AND or OR as Debian does. Fire
    /// times are at 12:00 and 12:30, far from any offset change, with the fixed-time
    /// rule (`0,30 12`) or the elapsed-time one (`*/30 12`).
    static func randomRare(using rng: inout SeededGenerator) -> RandomExpression {
        let month = Int.random(in: 1...12, using: &rng)
        let dates: [(String, Set<Int>)] = [("29", [29]), ("30", [30]), ("31", [31]), ("*/30", [1, 31]), ("13", [13]), ("29-31", [29, 30, 31])]
        let (domText, dom) = dates[Int.random(in: 0..<dates.count, using: &rng)]
        let weekday = Int.random(in: 0...6, using: &rng)
        var weekdays: Set<Int> = []
        var nth: Set<[Int]> = []
        var last: Set<Int> = []
        let dowText: String
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: dowText = "\(weekday)#5"; nth = [[weekday, 5]]
        case 1: dowText = "\(weekday)L"; last = [weekday]
        case 2: dowText = "*/10"; weekdays = [0]
        default: dowText = "\(weekday)"; weekdays = [weekday]
        }
        let fixed = Bool.random(using: &rng)
        let text = "\(fixed ? "0,30" : "*/30") 12 \(domText) \(month) \(dowText)"
        return RandomExpression(
            text: text, hasSeconds: false, seconds: [0], minutes: [0, 30], hours: [12], daysOfMonth: dom, months: [month],
            weekdays: weekdays, lastOfWeekday: last, nthWeekday: nth, dayOfMonthStar: domText.hasPrefix("*"),
            dayOfWeekStar: dowText.hasPrefix("*"), minuteStar: !fixed, hourStar: false)
    }

    @Test("Random rare schedules agree with a day-by-day walk over a century, in zones with DST")
    func randomRareAgree() throws {
        var rng = SeededGenerator(seed: 0x5A5E)
        let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham"]
        var beyondEightYears = 0
        var refused = 0
        for index in 0..<60 {
            let expression = Self.randomRare(using: &rng)
            let zone = zones[index % zones.count]
            let reference = DayStepReference(expression, timeZone: TimeZone(identifier: zone)!)
            guard let schedule = try? CronSchedule(expression.text, timeZoneIdentifier: zone) else {
                #expect(reference.largestGapSeconds() == nil, "\(expression) refused")
                refused += 1
                continue
            }
            if schedule.largestGapSeconds > 2922 * 86_400 { beyondEightYears += 1 }
            let start = at("2000-01-02T00:00:00Z")
            let end = at("2099-12-30T00:00:00Z")
            let expected = reference.fireTimes(from: 2000, through: 2099)
                .filter { $0 > start.secondsSinceEpoch && $0 <= end.secondsSinceEpoch }
            let forward = Array(schedule.fireTimes(after: start).prefix { $0 <= end }).map(\.secondsSinceEpoch)
            #expect(forward == expected, "next: \(expression) in \(zone)")
            var backward: [Int64] = []
            var cursor = end.adding(seconds: 1)
            while let fire = schedule.previous(before: cursor), fire > start {
                backward.append(fire.secondsSinceEpoch)
                cursor = fire
            }
            #expect(Array(backward.reversed()) == expected, "previous: \(expression) in \(zone)")
            #expect(schedule.count(after: start, atOrBefore: end) == expected.count, "count: \(expression) in \(zone)")
        }
        // The mix must hold what the old 8-year horizon refused, and some that never fire.
        #expect(beyondEightYears >= 10, "\(beyondEightYears) schedules beyond 8 years")
        #expect(refused >= 1 && refused <= 20, "\(refused) refused")
    }

    @Test("count adds up fire times across multi-year gaps")
    func countAcrossGaps() throws {
        let november = try CronSchedule("44 23 */30 11 7")
        #expect(november.count(after: at("2026-11-02T00:00:00Z"), atOrBefore: at("2037-11-01T23:43:59Z")) == 0)
        #expect(november.count(after: at("2026-11-02T00:00:00Z"), atOrBefore: at("2037-11-01T23:44:00Z")) == 1)
        #expect(november.mostRecent(atOrBefore: at("2037-10-31T00:00:00Z"), notBefore: at("2000-01-01T00:00:00Z"))
            == at("2026-11-01T23:44:00Z"))
        // A whole 400-year cycle: 58 such Sundays, counted by walking every day.
        let days = DayStepReference(Self.models["44 23 */30 11 7"]!).fireDays(from: 2000, through: 2399)
        #expect(days.count == 58)
        #expect(november.count(after: at("1999-12-31T23:59:59Z"), atOrBefore: at("2399-12-31T23:59:59Z")) == days.count)

        let january = try CronSchedule("* 10,11,18,21 29 1 */10", timeZoneIdentifier: "America/New_York")
        let januaryDays = DayStepReference(Self.models["* 10,11,18,21 29 1 */10"]!).fireDays(from: 2000, through: 2399)
        #expect(january.count(after: at("2000-01-01T05:00:00Z"), atOrBefore: at("2400-01-01T05:00:00Z")) == 240 * januaryDays.count)
    }

    @Test("A fire time skipped by a spring-forward does not end the search")
    func skippedOnceThenFound() throws {
        // 29 March 2026 is Berlin's spring-forward day, so 02:00-02:59 does not exist.
        let schedule = try CronSchedule("* 2 29 3 *", timeZoneIdentifier: "Europe/Berlin")
        #expect(schedule.largestGapSeconds < 367 * 86_400)
        let next = try #require(schedule.next(after: at("2025-03-30T00:00:00Z")))
        #expect(RFC3339.format(next, in: schedule.timeZone) == "2027-03-29T02:00:00+02:00")
        let previous = try #require(schedule.previous(before: next))
        #expect(RFC3339.format(previous, in: schedule.timeZone) == "2025-03-29T02:59:00+01:00")
        #expect(schedule.count(after: previous, atOrBefore: next) == 1)
    }

    @Test("Times a spring-forward skips every year: nothing forward, the real fire time backward")
    func skippedForGood() throws {
        // 02:00 on the second Sunday of March has not existed in New York since 2007.
        let never = try CronSchedule("* 2 * 3 0#2", timeZoneIdentifier: "America/New_York")
        #expect(never.next(after: at("2025-06-01T00:00:00Z")) == nil)
        #expect(never.next(after: at("2400-06-01T00:00:00Z")) == nil)
        #expect(try previousFires("* 2 * 3 0#2", tz: "America/New_York", before: "2025-06-01T00:00:00Z", count: 1)
            == ["2006-03-12T02:59:00-05:00"])
        #expect(try previousFires("* 2 * 3 0#2", tz: "America/New_York", before: "9999-06-01T00:00:00Z", count: 1)
            == ["2006-03-12T02:59:00-05:00"])
        #expect(try fires("* 2 * 3 0#2", tz: "America/New_York", after: "2006-01-01T00:00:00Z", count: 1)
            == ["2006-03-12T02:00:00-05:00"])
        #expect(never.count(after: at("2007-01-01T00:00:00Z"), atOrBefore: at("2100-01-01T00:00:00Z")) == 0)
        // The fixed-time rule fires a skipped time at the jump instead.
        #expect(try fires("30 2 * 3 0#2", tz: "America/New_York", after: "2025-06-01T00:00:00Z", count: 1)
            == ["2026-03-08T03:00:00-04:00"])
    }
}
