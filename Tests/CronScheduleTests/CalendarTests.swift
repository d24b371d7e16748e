import CronSchedule
import Testing

@Suite("Calendar: fire times in UTC for every feature")
struct CalendarTests {
    @Test("next(after:) lists the expected fire times", arguments: [
        // Plain fields, steps, ranges, lists.
        ("* * * * *", "2025-06-01T12:00:30Z", ["2025-06-01T12:01:00Z", "2025-06-01T12:02:00Z"]),
        ("*/15 * * * *", "2025-06-01T12:00:00Z", ["2025-06-01T12:15:00Z", "2025-06-01T12:30:00Z", "2025-06-01T12:45:00Z", "2025-06-01T13:00:00Z"]),
        ("5/20 * * * *", "2025-06-01T12:00:00Z", ["2025-06-01T12:05:00Z", "2025-06-01T12:25:00Z", "2025-06-01T12:45:00Z", "2025-06-01T13:05:00Z"]),
        ("0 9-17/4 * * *", "2025-06-01T00:00:00Z", ["2025-06-01T09:00:00Z", "2025-06-01T13:00:00Z", "2025-06-01T17:00:00Z", "2025-06-02T09:00:00Z"]),
        ("0 9 * * MON-FRI", "2025-06-06T10:00:00Z", ["2025-06-09T09:00:00Z", "2025-06-10T09:00:00Z"]),
        ("0 0 * * 0,7", "2025-06-01T00:00:00Z", ["2025-06-08T00:00:00Z", "2025-06-15T00:00:00Z"]),
        ("*/20 * * * * *", "2025-06-01T12:00:00Z", ["2025-06-01T12:00:20Z", "2025-06-01T12:00:40Z", "2025-06-01T12:01:00Z"]),
        ("30 59 23 31 12 *", "2025-06-01T00:00:00Z", ["2025-12-31T23:59:30Z", "2026-12-31T23:59:30Z"]),
        // Year boundaries.
        ("0 0 1 1 *", "2025-12-31T23:59:59Z", ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
        ("59 23 31 12 *", "2025-12-31T23:59:00Z", ["2026-12-31T23:59:00Z"]),
        ("0 0 * * *", "1999-12-31T12:00:00Z", ["2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z"]),
        // Leap day, 2100 is not a leap year.
        ("0 0 29 2 *", "2025-01-01T00:00:00Z", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
        ("0 0 29 2 *", "2096-03-01T00:00:00Z", ["2104-02-29T00:00:00Z"]),
        ("0 12 28-29 2 *", "2099-02-28T12:00:00Z", ["2100-02-28T12:00:00Z", "2101-02-28T12:00:00Z"]),
        // Extensions.
        ("0 0 L * *", "2025-01-15T00:00:00Z", ["2025-01-31T00:00:00Z", "2025-02-28T00:00:00Z", "2025-03-31T00:00:00Z", "2025-04-30T00:00:00Z"]),
        ("0 0 L 2 *", "2027-03-01T00:00:00Z", ["2028-02-29T00:00:00Z", "2029-02-28T00:00:00Z"]),
        ("0 0 LW * *", "2025-05-01T00:00:00Z", ["2025-05-30T00:00:00Z", "2025-06-30T00:00:00Z", "2025-07-31T00:00:00Z", "2025-08-29T00:00:00Z"]),
        ("0 18 * * 5L", "2025-05-01T00:00:00Z", ["2025-05-30T18:00:00Z", "2025-06-27T18:00:00Z", "2025-07-25T18:00:00Z"]),
        ("0 0 * * 1#2", "2025-05-01T00:00:00Z", ["2025-05-12T00:00:00Z", "2025-06-09T00:00:00Z", "2025-07-14T00:00:00Z"]),
        ("0 0 * * 0#1,6#5", "2025-05-01T00:00:00Z", ["2025-05-04T00:00:00Z", "2025-05-31T00:00:00Z", "2025-06-01T00:00:00Z", "2025-07-06T00:00:00Z"]),
        ("0 0 15,L * *", "2025-02-01T00:00:00Z", ["2025-02-15T00:00:00Z", "2025-02-28T00:00:00Z", "2025-03-15T00:00:00Z"]),
        // Day-of-month and day-of-week: OR unless either starts with `*`.
        ("0 0 1 * 1", "2025-09-01T00:00:00Z", ["2025-09-08T00:00:00Z", "2025-09-15T00:00:00Z", "2025-09-22T00:00:00Z", "2025-09-29T00:00:00Z", "2025-10-01T00:00:00Z"]),
        ("0 0 1-7 * */7", "2024-12-31T00:00:00Z", ["2025-01-05T00:00:00Z", "2025-02-02T00:00:00Z", "2025-03-02T00:00:00Z", "2025-04-06T00:00:00Z"]),
        ("0 0 */10 * 1", "2025-01-01T00:00:00Z", ["2025-03-31T00:00:00Z", "2025-04-21T00:00:00Z", "2025-07-21T00:00:00Z", "2025-08-11T00:00:00Z"]),
        ("0 0 13 * 5", "2025-06-01T00:00:00Z", ["2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z", "2025-06-27T00:00:00Z", "2025-07-04T00:00:00Z"]),
        // Descriptors.
        ("@yearly", "2025-06-01T00:00:00Z", ["2026-01-01T00:00:00Z"]),
        ("@monthly", "2025-06-01T00:00:00Z", ["2025-07-01T00:00:00Z"]),
        ("@weekly", "2025-06-01T00:00:00Z", ["2025-06-08T00:00:00Z"]),
        ("@daily", "2025-06-01T00:00:00Z", ["2025-06-02T00:00:00Z"]),
        ("@hourly", "2025-06-01T00:00:00Z", ["2025-06-01T01:00:00Z"]),
        // Before the epoch.
        ("0 0 1 1 *", "1969-06-01T00:00:00Z", ["1970-01-01T00:00:00Z"]),
        ("0 12 * * *", "1900-02-28T13:00:00Z", ["1900-03-01T12:00:00Z"]),
    ])
    func nextFireTimes(expression: String, after: String, expected: [String]) throws {
        #expect(try fires(expression, after: after, count: expected.count) == expected)
    }

    @Test("previous(before:) lists the expected fire times, latest first", arguments: [
        ("0 0 31 12 *", "2026-01-01T00:00:00Z", ["2025-12-31T00:00:00Z", "2024-12-31T00:00:00Z"]),
        ("0 0 29 2 *", "2104-02-01T00:00:00Z", ["2096-02-29T00:00:00Z", "2092-02-29T00:00:00Z"]),
        ("*/15 * * * *", "2025-06-01T12:00:00Z", ["2025-06-01T11:45:00Z", "2025-06-01T11:30:00Z"]),
        ("0 0 L * *", "2025-03-01T00:00:00Z", ["2025-02-28T00:00:00Z", "2025-01-31T00:00:00Z"]),
        ("0 0 * * 1#2", "2025-06-01T00:00:00Z", ["2025-05-12T00:00:00Z", "2025-04-14T00:00:00Z"]),
        ("30 59 23 31 12 *", "2026-06-01T00:00:00Z", ["2025-12-31T23:59:30Z"]),
        ("0 0 1 1 *", "2025-01-01T00:00:01Z", ["2025-01-01T00:00:00Z", "2024-01-01T00:00:00Z"]),
    ])
    func previousFireTimes(expression: String, before: String, expected: [String]) throws {
        #expect(try previousFires(expression, before: before, count: expected.count) == expected)
    }

    @Test("next is strictly after and previous strictly before the given instant")
    func strictness() throws {
        let schedule = try CronSchedule("0 12 * * *")
        let noon = at("2025-06-01T12:00:00Z")
        #expect(schedule.next(after: noon) == at("2025-06-02T12:00:00Z"))
        #expect(schedule.previous(before: noon) == at("2025-05-31T12:00:00Z"))
        #expect(schedule.mostRecent(atOrBefore: noon, notBefore: noon) == noon)
    }

    @Test("mostRecent returns the latest fire time in the window, or nil")
    func mostRecent() throws {
        let schedule = try CronSchedule("*/5 * * * *")
        let now = at("2025-06-01T12:03:00Z")
        #expect(schedule.mostRecent(atOrBefore: now, notBefore: at("2025-06-01T11:00:00Z")) == at("2025-06-01T12:00:00Z"))
        #expect(schedule.mostRecent(atOrBefore: now, notBefore: at("2025-06-01T12:01:00Z")) == nil)
        #expect(schedule.mostRecent(atOrBefore: now, notBefore: at("2025-06-01T12:00:00Z")) == at("2025-06-01T12:00:00Z"))
        #expect(schedule.mostRecent(atOrBefore: at("2025-06-01T11:00:00Z"), notBefore: now) == nil)
        let yearly = try CronSchedule("@yearly")
        #expect(yearly.mostRecent(atOrBefore: now, notBefore: at("2025-01-02T00:00:00Z")) == nil)
        #expect(yearly.mostRecent(atOrBefore: now, notBefore: at("2015-01-01T00:00:00Z")) == at("2025-01-01T00:00:00Z"))
    }

    @Test("count adds up huge windows without visiting every fire time")
    func countHugeWindows() throws {
        let everySecond = try CronSchedule("* * * * * *")
        #expect(everySecond.count(after: at("2025-01-01T00:00:00Z"), atOrBefore: at("2026-01-01T00:00:00Z")) == 365 * 86_400)
        let everyMinute = try CronSchedule("* * * * *", timeZoneIdentifier: "America/New_York")
        // 2025 in New York: 365 days less the hour skipped in March plus the hour repeated in November.
        #expect(everyMinute.count(after: at("2025-01-01T04:59:59Z"), atOrBefore: at("2026-01-01T04:59:59Z")) == 365 * 1440)
        let daily = try CronSchedule("30 2 * * *", timeZoneIdentifier: "America/New_York")
        #expect(daily.count(after: at("2025-01-01T00:00:00Z"), atOrBefore: at("2026-01-01T00:00:00Z")) == 365)
        let night = try CronSchedule("* 2 * * *", timeZoneIdentifier: "America/New_York")
        #expect(night.count(after: at("2025-01-01T00:00:00Z"), atOrBefore: at("2026-01-01T00:00:00Z")) == 364 * 60)
        let leap = try CronSchedule("0 0 29 2 *")
        #expect(leap.count(after: at("2000-01-01T00:00:00Z"), atOrBefore: at("2400-01-01T00:00:00Z")) == 97)
        #expect(leap.count(after: at("2030-01-01T00:00:00Z"), atOrBefore: at("2020-01-01T00:00:00Z")) == 0)
    }

    @Test("Instants outside years 1-9999 give nil, never a trap")
    func extremes() throws {
        let schedule = try CronSchedule("* * * * *", timeZoneIdentifier: "Europe/Berlin")
        let max = CronInstant(secondsSinceEpoch: .max)
        let min = CronInstant(secondsSinceEpoch: .min)
        #expect(schedule.next(after: max) == nil)
        #expect(schedule.previous(before: min) == nil)
        // Berlin's local mean time was +00:53:28, so the first whole local minute is 00:00:32 UTC.
        #expect(schedule.next(after: min) == at("0001-01-01T00:00:32Z"))
        #expect(schedule.previous(before: max) != nil)
        #expect(schedule.mostRecent(atOrBefore: max, notBefore: min) != nil)
        #expect(schedule.count(after: min, atOrBefore: min) == 0)
        #expect(try CronSchedule("@every 1h").next(after: max) == nil)
        #expect(try CronSchedule("@every 1h").previous(before: min) == nil)
        #expect(try CronSchedule("0 0 1 1 *").next(after: at("9999-06-01T00:00:00Z")) == nil)
    }
}
