import CronSchedule
import Testing

@Suite("Parsing: the dialect and its canonical form")
struct ParserTests {
    @Test("Every form of the dialect parses to its canonical expression", arguments: [
        ("0 9 * * 1-5", "0 9 * * 1-5"),
        ("  0   9 *\t* 1-5 ", "0 9 * * 1-5"),
        ("*/15 * * * *", "*/15 * * * *"),
        ("5/15 * * * *", "5-59/15 * * * *"),
        ("10-40/10 * * * *", "10-40/10 * * * *"),
        ("1,2,3 * * * *", "1,2,3 * * * *"),
        ("0 0 1 jan *", "0 0 1 1 *"),
        ("0 0 1 Jan-Mar,DEC *", "0 0 1 1-3,12 *"),
        ("0 0 * * sun", "0 0 * * 0"),
        ("0 0 * * 7", "0 0 * * 0"),
        ("0 0 * * MON-FRI", "0 0 * * 1-5"),
        ("0 0 * * 5-7", "0 0 * * 5-7"),
        ("0 0 L * *", "0 0 L * *"),
        ("0 0 lw * *", "0 0 LW * *"),
        ("0 0 * * 5L", "0 0 * * 5L"),
        ("0 0 * * FRIL", "0 0 * * 5L"),
        ("0 0 * * 1#2", "0 0 * * 1#2"),
        ("0 0 * * 7#1", "0 0 * * 0#1"),
        ("0 0 1,L * *", "0 0 1,L * *"),
        ("30 0 9 * * *", "30 0 9 * * *"),
        ("*/5 * * * * *", "*/5 * * * * *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@MIDNIGHT", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
        ("@every 90s", "@every 1m30s"),
        ("@every 1h30m", "@every 1h30m"),
        ("@every 2d", "@every 2d"),
        ("0 */30 * * *", "0 */30 * * *"),
    ])
    func canonical(input: String, expected: String) throws {
        let schedule = try CronSchedule(input)
        #expect(schedule.expression == expected)
        // The canonical form parses to an equal schedule.
        #expect(try CronSchedule(schedule.expression) == schedule)
    }

    @Test("Names and numbers give equal schedules")
    func namesEqualNumbers() throws {
        #expect(try CronSchedule("0 0 * * SUN") == CronSchedule("0 0 * * 7"))
        #expect(try CronSchedule("0 0 * * 0") == CronSchedule("@weekly"))
        #expect(try CronSchedule("0 0 1 JAN *") == CronSchedule("@yearly"))
        #expect(try CronSchedule("0 0 * * *") != CronSchedule("0 0 0 * * *"))
        #expect(try CronSchedule("0 0 * * *", timeZoneIdentifier: "Europe/Berlin") != CronSchedule("0 0 * * *"))
    }

    @Test("Errors name the field, the text, the position and what was expected", arguments: [
        ("30 12 * * 8", #"day-of-week: "8" is out of range 0-7 (field 5, column 11)"#),
        ("60 * * * *", #"minute: "60" is out of range 0-59 (field 1, column 1)"#),
        ("0 24 * * *", #"hour: "24" is out of range 0-23 (field 2, column 3)"#),
        ("0 0 0 * *", #"day-of-month: "0" is out of range 1-31 (field 3, column 5)"#),
        ("0 0 * 13 *", #"month: "13" is out of range 1-12 (field 4, column 7)"#),
        ("0 0,99 * * *", #"hour: "99" is out of range 0-23 (field 2, column 5)"#),
        ("99999999999999999999 * * * *", #"minute: "99999999999999999999" is out of range 0-59 (field 1, column 1)"#),
        ("*/0 * * * *", #"minute: "*/0" has a zero step: step must be at least 1 (field 1, column 1)"#),
        ("* * * *", "expected 5 or 6 fields, got 4"),
        ("* * * * * * *", "expected 5 or 6 fields, got 7"),
        ("", "expected 5 or 6 fields, got 0"),
        ("0 17-9 * * *", #"hour: "17-9" is a reversed range: expected the start to be at most the end (field 2, column 3)"#),
        ("@fortnightly", #""@fortnightly" is not a descriptor: expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>"#),
        ("@every 0s", #""0s" must be at least 1s"#),
        ("@every soon", #""soon" is not a duration: expected whole numbers with units d, h, m, s, such as 90s or 1h30m"#),
        ("@every 2923d", #""2923d" is longer than the maximum of 2922 days (8 years)"#),
        ("0 0 30 2 *", #""0 0 30 2 *" never fires: no date matches its day-of-month, month and day-of-week fields together"#),
        ("0 0 31 4,6,9,11 *", #""0 0 31 4,6,9,11 *" never fires: no date matches its day-of-month, month and day-of-week fields together"#),
    ])
    func errorMessages(expression: String, message: String) {
        #expect(parseError(expression)?.description == message)
    }

    @Test("Error codes classify the mistake", arguments: [
        ("0 0 * * 1#6", CronScheduleError.Code.outOfRange),
        ("0 0 * * 1#0", .outOfRange),
        ("0 0 L * 1L2", .syntax),
        ("0 0 LX * *", .syntax),
        ("0 0 * * L", .syntax),
        ("1- * * * *", .syntax),
        ("-1 * * * *", .syntax),
        ("1,,2 * * * *", .syntax),
        (", * * * *", .syntax),
        ("*/ * * * *", .syntax),
        ("*/5/5 * * * *", .syntax),
        ("** * * * *", .syntax),
        ("0 0 * FOO *", .syntax),
        ("0 0 * * MONDAY", .syntax),
        ("é * * * *", .syntax),
        ("0 0 ? * *", .syntax),
        ("H * * * *", .missingSeed),
        ("0 H(0-) * * *", .syntax),
        ("0 H(5-2) * * *", .reversedRange),
        ("*/1234567 * * * *", .invalidStep),
        ("@every 1x", .invalidDuration),
        ("@every 3000d", .invalidDuration),
        ("@every 99999999999999999999s", .invalidDuration),
        ("@every", .invalidDuration),
        ("@every 1h 30m", .invalidDuration),
        ("@daily 0", .fieldCount),
        ("0 0 30 2 *", .neverFires),
    ])
    func errorCodes(expression: String, code: CronScheduleError.Code) {
        #expect(parseError(expression)?.code == code, "\(expression): \(String(describing: parseError(expression)))")
    }

    @Test("Positions are 1-based fields and character columns")
    func positions() throws {
        #expect(parseError("0 é * * *")?.position == .init(field: 2, column: 3))
        #expect(parseError("0 0 * * 9")?.position == .init(field: 5, column: 9))
        #expect(parseError("0 0 0 0 0 0")?.position == .init(field: 4, column: 7))
        #expect(parseError("  0 0 * * 1,2,3,9")?.position == .init(field: 5, column: 17))
    }

    @Test("H without a seed is an error naming the field")
    func hashNeedsSeed() {
        #expect(parseError("0 H * * *")?.description
            == #"hour: "H" needs a seed (the job's tenant and name) to choose a value (field 2, column 3)"#)
        #expect(parseError("0 0 H * *")?.field == .dayOfMonth)
    }

    @Test("Unknown time zones are refused by name")
    func unknownZone() {
        #expect(parseError("0 0 * * *", tz: "Europe/Berln")?.description == #"unknown time zone "Europe/Berln""#)
        #expect(parseError("0 0 * * *", tz: "../../etc/passwd")?.code == .unknownTimeZone)
        #expect(parseError("0 0 * * *", tz: "/etc/passwd")?.code == .unknownTimeZone)
        #expect(parseError("0 0 * * *", tz: "Europe")?.code == .invalidTimeZoneData || parseError("0 0 * * *", tz: "Europe")?.code == .unknownTimeZone)
    }

    @Test("Leap-day and rarer schedules are accepted; only never-firing ones are refused")
    func rareAccepted() throws {
        #expect(parseError("0 0 29 2 *") == nil)
        #expect(parseError("0 0 29 2 1") == nil)  // OR: any Monday in February too
        #expect(parseError("0 0 L 2 *") == nil)
        #expect(parseError("0 0 31 * *") == nil)
        #expect(parseError("0 0 * 2 1#5") == nil)  // 29 February on a Monday: 28 or 40 years apart
        #expect(parseError("0 0 */29 2 1") == nil)  // 1 February on a Monday
        #expect(parseError("@every 2922d") == nil)
        #expect(parseError("0 0 31 2 *")?.code == .neverFires)
    }

    @Test("The fixed-time DST rule applies only to 5-field schedules with fixed minute and hour")
    func fixedRule() throws {
        #expect(try CronSchedule("30 2 * * *").firesAtFixedWallClockTimes)
        #expect(try CronSchedule("0,30 1-3 * * *").firesAtFixedWallClockTimes)
        #expect(try CronSchedule("@daily").firesAtFixedWallClockTimes)
        #expect(try !CronSchedule("*/30 * * * *").firesAtFixedWallClockTimes)
        #expect(try !CronSchedule("0 * * * *").firesAtFixedWallClockTimes)
        #expect(try !CronSchedule("@hourly").firesAtFixedWallClockTimes)
        #expect(try !CronSchedule("* 2 * * *").firesAtFixedWallClockTimes)
        #expect(try !CronSchedule("0 30 2 * * *").firesAtFixedWallClockTimes)
        #expect(try !CronSchedule("@every 1h").firesAtFixedWallClockTimes)
    }

    @Test("Explanations read like crontab.guru", arguments: [
        ("0 9-17 * * 1-5", "At minute 0 past every hour from 9 through 17 on Monday through Friday"),
        ("*/5 * * * *", "At every 5th minute past every hour"),
        ("30 2 * * *", "At 02:30"),
        ("0 0 L * *", "At 00:00 on the last day of the month"),
        ("0 0 LW * *", "At 00:00 on the last weekday of the month"),
        ("15 10 * * 5L", "At 10:15 on the last Friday of the month"),
        ("0 0 * * 1#2", "At 00:00 on the second Monday of the month"),
        ("0 0 1,15 * 1", "At 00:00 on day-of-month 1 and 15 or on Monday"),
        ("0 */2 * JAN-MAR *", "At minute 0 past every 2nd hour in January through March"),
        ("@every 90s", "Every 1m30s, counted from 1970-01-01T00:00:00Z"),
    ])
    func explanations(expression: String, expected: String) throws {
        #expect(try CronSchedule(expression).explanation == expected)
    }

    @Test("Explanations name a non-UTC zone")
    func explanationZone() throws {
        #expect(try CronSchedule("30 2 * * *", timeZoneIdentifier: "America/New_York").explanation == "At 02:30, America/New_York time")
    }
}
