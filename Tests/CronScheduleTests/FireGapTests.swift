import CronSchedule
import Foundation
import Testing

/// ``CronSchedule/largestGapSeconds``: what the job validation layer warns about.
@Suite("Largest gap: the longest wait between fire times")
struct FireGapTests {
    static let day: Int64 = 86_400
    static let hour: Int64 = 3600

    /// Schedules and their largest gap in seconds.
    static let pinnedGaps: [(String, Int64)] = [
        // 2096-02-29 to 2104-02-29: 2100 is not a leap year.
        ("0 0 29 2 *", 2921 * day),
        ("0 0 * * *", day),
        ("@daily", day),
        ("*/5 * * * *", 300),
        ("0 9 * * 1-5", 3 * day),
        ("0 9,17 * * *", 16 * hour),
        // 17:55 to 09:00 the next day.
        ("*/5 9-17 * * *", 15 * hour + 5 * 60),
        ("*/20 * * * * *", 20),
        ("30 0 9 * * *", day),
        ("0 0 1 * *", 31 * day),
        ("0 0 31 * *", 61 * day),
        ("0 0 * * 1#2", 35 * day),
        // 1 November on a Sunday: 2026, then 2037.
        ("44 23 */30 11 7", 4018 * day),
        ("50 21 29 SEP */15", 4382 * day),
        // The last fire of one fire day is 21:59, the first of the next 10:00.
        ("* 10,11,18,21 29 1 */10", 4018 * day - (11 * hour + 59 * 60)),
        // 29 February on a Monday: 28 years apart, 40 across 2100.
        ("0 0 * 2 1#5", 14_609 * day),
        ("@every 90s", 90),
        ("@every 2d", 2 * day),
    ]

    @Test("Known schedules have the expected largest gap", arguments: pinnedGaps)
    func pinned(expression: String, seconds: Int64) throws {
        #expect(try CronSchedule(expression).largestGapSeconds == seconds)
    }

    @Test("The largest gap is a wall-clock measure, the same in every zone")
    func sameInEveryZone() throws {
        for expression in ["0 0 29 2 *", "44 23 */30 11 7", "30 2 * * *", "0 9 * * 1-5"] {
            let utc = try CronSchedule(expression).largestGapSeconds
            for zone in ["America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"] {
                #expect(try CronSchedule(expression, timeZoneIdentifier: zone).largestGapSeconds == utc, "\(expression) in \(zone)")
            }
        }
    }

    /// Hand-written models covering each day-field feature.
    static let models: [RandomExpression] = [
        .model("0 0 29 2 *", minutes: [0], hours: [0], daysOfMonth: [29], months: [2], weekdays: Set(0...6),
               dayOfMonthStar: false, dayOfWeekStar: true),
        .model("15 10 L * *", minutes: [15], hours: [10], daysOfMonth: [], lastDay: true, months: Set(1...12),
               weekdays: Set(0...6), dayOfMonthStar: false, dayOfWeekStar: true),
        .model("0 0 LW 2,8 *", minutes: [0], hours: [0], daysOfMonth: [], lastWeekday: true, months: [2, 8],
               weekdays: Set(0...6), dayOfMonthStar: false, dayOfWeekStar: true),
        .model("0 18 * 1-6 5L", minutes: [0], hours: [18], daysOfMonth: Set(1...31), months: Set(1...6), weekdays: [],
               lastOfWeekday: [5], dayOfMonthStar: true, dayOfWeekStar: false),
        .model("0 0 1,15 * 1", minutes: [0], hours: [0], daysOfMonth: [1, 15], months: Set(1...12), weekdays: [1],
               dayOfMonthStar: false, dayOfWeekStar: false),
        .model("0 0 */29 2 1", minutes: [0], hours: [0], daysOfMonth: [1, 30], months: [2], weekdays: [1],
               dayOfMonthStar: true, dayOfWeekStar: false),
        .model("0 0 13 * 5", minutes: [0], hours: [0], daysOfMonth: [13], months: Set(1...12), weekdays: [5],
               dayOfMonthStar: false, dayOfWeekStar: false),
        .model("0 0 13 * */5", minutes: [0], hours: [0], daysOfMonth: [13], months: Set(1...12), weekdays: [0, 5],
               dayOfMonthStar: false, dayOfWeekStar: true),
        .model("0 0 * 1-6 1-5", minutes: [0], hours: [0], daysOfMonth: Set(1...31), months: Set(1...6), weekdays: Set(1...5),
               dayOfMonthStar: true, dayOfWeekStar: false),
        .model("0 0 * * 0,3", minutes: [0], hours: [0], daysOfMonth: Set(1...31), months: Set(1...12), weekdays: [0, 3],
               dayOfMonthStar: true, dayOfWeekStar: false),
        .model("0 0 * 2 1#5", minutes: [0], hours: [0], daysOfMonth: Set(1...31), months: [2], weekdays: [],
               nthWeekday: [[1, 5]], dayOfMonthStar: true, dayOfWeekStar: false),
        .model("0 0 31 * 0#5", minutes: [0], hours: [0], daysOfMonth: [31], months: Set(1...12), weekdays: [],
               nthWeekday: [[0, 5]], dayOfMonthStar: false, dayOfWeekStar: false),
    ]

    @Test("The largest gap agrees with a day-by-day walk over 400 years", arguments: models.map(\.text))
    func agreesWithDayWalk(expression: String) throws {
        let model = try #require(Self.models.first { $0.text == expression })
        let expected = try #require(DayStepReference(model).largestGapSeconds())
        #expect(try CronSchedule(expression).largestGapSeconds == expected)
    }

    @Test("The largest gap agrees with a day-by-day walk on random expressions, or both say it never fires")
    func randomAgree() throws {
        var rng = SeededGenerator(seed: 0x6A95)
        for _ in 0..<20 {
            let expression = RandomExpression.random(using: &rng)
            let expected = DayStepReference(expression).largestGapSeconds()
            if let expected {
                #expect((try? CronSchedule(expression.text))?.largestGapSeconds == expected, "\(expression)")
            } else {
                #expect(parseError(expression.text)?.code == .neverFires, "\(expression)")
            }
        }
    }
}
