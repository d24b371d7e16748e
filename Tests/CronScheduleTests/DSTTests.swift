import CronSchedule
import Testing

/// Debian's DST rules: fixed-time schedules fire skipped times once after the jump and
/// repeated times once; everything else follows real elapsed time.
@Suite("DST: Debian's rules in New York, Berlin, Lord Howe and Kathmandu")
struct DSTTests {
    @Test("Spring forward and fall back fire as Debian's cron does", arguments: [
        // New York, 2025-03-09: 02:00 EST jumps to 03:00 EDT.
        ("30 2 * * *", "America/New_York", "2025-03-08T12:00:00Z",
         ["2025-03-09T03:00:00-04:00", "2025-03-10T02:30:00-04:00"]),
        ("0,30 2-3 * * *", "America/New_York", "2025-03-09T05:00:00Z",
         ["2025-03-09T03:00:00-04:00", "2025-03-09T03:30:00-04:00", "2025-03-10T02:00:00-04:00"]),
        ("*/30 * * * *", "America/New_York", "2025-03-09T06:00:00Z",
         ["2025-03-09T01:30:00-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:30:00-04:00"]),
        // Not fixed: a wall-clock time that does not exist does not fire.
        ("* 2 * * *", "America/New_York", "2025-03-09T06:00:00Z", ["2025-03-10T02:00:00-04:00"]),
        ("0 30 2 * * *", "America/New_York", "2025-03-08T12:00:00Z", ["2025-03-10T02:30:00-04:00"]),
        // New York, 2025-11-02: 02:00 EDT falls back to 01:00 EST.
        ("30 1 * * *", "America/New_York", "2025-11-01T12:00:00Z",
         ["2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00"]),
        ("*/30 * * * *", "America/New_York", "2025-11-02T04:50:00Z",
         ["2025-11-02T01:00:00-04:00", "2025-11-02T01:30:00-04:00", "2025-11-02T01:00:00-05:00",
          "2025-11-02T01:30:00-05:00", "2025-11-02T02:00:00-05:00"]),
        ("0 30 1 * * *", "America/New_York", "2025-11-01T12:00:00Z",
         ["2025-11-02T01:30:00-04:00", "2025-11-02T01:30:00-05:00", "2025-11-03T01:30:00-05:00"]),
        ("@hourly", "America/New_York", "2025-11-02T04:30:00Z",
         ["2025-11-02T01:00:00-04:00", "2025-11-02T01:00:00-05:00", "2025-11-02T02:00:00-05:00"]),
        // Berlin, 2025-03-30 02:00 CET -> 03:00 CEST; 2025-10-26 03:00 CEST -> 02:00 CET.
        ("30 2 * * *", "Europe/Berlin", "2025-03-29T12:00:00Z",
         ["2025-03-30T03:00:00+02:00", "2025-03-31T02:30:00+02:00"]),
        ("30 2 * * *", "Europe/Berlin", "2025-10-25T12:00:00Z",
         ["2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"]),
        ("0 * * * *", "Europe/Berlin", "2025-10-25T23:30:00Z",
         ["2025-10-26T02:00:00+02:00", "2025-10-26T02:00:00+01:00", "2025-10-26T03:00:00+01:00"]),
        ("0 9 * * MON-FRI", "Europe/Berlin", "2025-03-28T12:00:00Z",
         ["2025-03-31T09:00:00+02:00", "2025-04-01T09:00:00+02:00"]),
        // Lord Howe moves by 30 minutes: 2025-10-05 02:00 +10:30 -> 02:30 +11:00;
        // 2025-04-06 02:00 +11:00 -> 01:30 +10:30.
        ("15 2 * * *", "Australia/Lord_Howe", "2025-10-04T00:00:00Z",
         ["2025-10-05T02:30:00+11:00", "2025-10-06T02:15:00+11:00"]),
        ("*/15 * * * *", "Australia/Lord_Howe", "2025-10-04T15:00:00Z",
         ["2025-10-05T01:45:00+10:30", "2025-10-05T02:30:00+11:00", "2025-10-05T02:45:00+11:00"]),
        ("45 1 * * *", "Australia/Lord_Howe", "2025-04-05T00:00:00Z",
         ["2025-04-06T01:45:00+11:00", "2025-04-07T01:45:00+10:30"]),
        ("*/15 * * * *", "Australia/Lord_Howe", "2025-04-05T14:10:00Z",
         ["2025-04-06T01:15:00+11:00", "2025-04-06T01:30:00+11:00", "2025-04-06T01:45:00+11:00",
          "2025-04-06T01:30:00+10:30", "2025-04-06T01:45:00+10:30", "2025-04-06T02:00:00+10:30"]),
        // Kathmandu: +05:45 since 1986-01-01, when 00:00 +05:30 became 00:15 +05:45.
        ("0 9 * * *", "Asia/Kathmandu", "2025-06-01T00:00:00Z", ["2025-06-01T09:00:00+05:45", "2025-06-02T09:00:00+05:45"]),
        ("5 0 * * *", "Asia/Kathmandu", "1985-12-31T12:00:00Z", ["1986-01-01T00:15:00+05:45", "1986-01-02T00:05:00+05:45"]),
        ("*/5 * * * *", "Asia/Kathmandu", "1985-12-31T18:20:00Z",
         ["1985-12-31T23:55:00+05:30", "1986-01-01T00:15:00+05:45", "1986-01-01T00:20:00+05:45"]),
    ])
    func transitions(expression: String, zone: String, after: String, expected: [String]) throws {
        #expect(try fires(expression, tz: zone, after: after, count: expected.count) == expected)
    }

    @Test("previous(before:) mirrors next across DST changes", arguments: [
        ("30 2 * * *", "America/New_York", "2025-03-10T00:00:00-04:00", ["2025-03-09T03:00:00-04:00", "2025-03-08T02:30:00-05:00"]),
        ("30 1 * * *", "America/New_York", "2025-11-03T00:00:00-05:00", ["2025-11-02T01:30:00-04:00", "2025-11-01T01:30:00-04:00"]),
        ("*/30 * * * *", "America/New_York", "2025-11-02T02:00:00-05:00",
         ["2025-11-02T01:30:00-05:00", "2025-11-02T01:00:00-05:00", "2025-11-02T01:30:00-04:00", "2025-11-02T01:00:00-04:00"]),
        ("15 2 * * *", "Australia/Lord_Howe", "2025-10-06T00:00:00+11:00", ["2025-10-05T02:30:00+11:00", "2025-10-04T02:15:00+10:30"]),
    ])
    func previousAcrossChanges(expression: String, zone: String, before: String, expected: [String]) throws {
        #expect(try previousFires(expression, tz: zone, before: before, count: expected.count) == expected)
    }

    @Test("A fixed schedule fires exactly once per day across a whole year of DST changes")
    func oncePerDay() throws {
        for zone in ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"] {
            for time in ["30 2 * * *", "0 2 * * *", "45 1 * * *", "0 3 * * *"] {
                let schedule = try CronSchedule(time, timeZoneIdentifier: zone)
                let all = Array(schedule.fireTimes(after: at("2025-01-01T00:00:00Z")).prefix(while: { $0 < at("2026-01-01T00:00:00Z") }))
                let days = Set(all.map { RFC3339.format($0, in: schedule.timeZone).prefix(10) })
                #expect(all.count == days.count, "\(time) in \(zone)")
                #expect(all.count == 365 || all.count == 364 || all.count == 366, "\(time) in \(zone): \(all.count)")
            }
        }
    }
}
