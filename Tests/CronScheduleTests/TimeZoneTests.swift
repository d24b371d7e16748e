import CronSchedule
import Foundation
import Testing

@Suite("Time zones: TZif and POSIX rules agree with Foundation")
struct TimeZoneTests {
    static let zones = [
        "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham",
        "America/Sao_Paulo", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "America/Santiago", "Africa/Cairo",
        "Pacific/Apia", "Asia/Tehran", "America/St_Johns", "Europe/Dublin",
    ]

    @Test("Offsets match Foundation from 1970 to 2037 and beyond the table", arguments: zones)
    func offsetsMatchFoundation(name: String) throws {
        let zone = try CronTimeZone(identifier: name)
        let reference = TimeZone(identifier: name)!
        var rng = SeededGenerator(seed: StableHash.fnv1a64(name))
        for _ in 0..<400 {
            let t = Int64.random(in: 0...2_145_916_800, using: &rng)  // 1970...2038
            #expect(zone.offset(at: CronInstant(secondsSinceEpoch: t)) == reference.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))),
                    "\(name) at \(CronInstant(secondsSinceEpoch: t))")
        }
        // Far future: the POSIX footer rule, both inside the precomputed table (to 2200)
        // and computed on demand after it.
        for year in [2050, 2150, 2199, 2201, 2350, 2999] {
            for month in [1, 3, 4, 7, 10, 11] {
                let t = at("\(year)-\(month < 10 ? "0" : "")\(month)-15T12:00:00Z")
                #expect(zone.offset(at: t) == reference.secondsFromGMT(for: t.date), "\(name) at \(t)")
            }
        }
    }

    @Test("Every DST change of a zone in 2024-2026 matches Foundation's", arguments: ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"])
    func transitionInstants(name: String) throws {
        let zone = try CronTimeZone(identifier: name)
        var date = at("2024-01-01T00:00:00Z").date
        let reference = TimeZone(identifier: name)!
        while let change = reference.nextDaylightSavingTimeTransition(after: date), change < at("2027-01-01T00:00:00Z").date {
            let instant = CronInstant(change)
            #expect(zone.offset(at: instant) == reference.secondsFromGMT(for: change))
            #expect(zone.offset(at: instant.adding(seconds: -1)) == reference.secondsFromGMT(for: change.addingTimeInterval(-1)))
            date = change
        }
    }

    @Test("Zones are cached and compare by name")
    func cache() throws {
        let first = try CronTimeZone(identifier: "Europe/Berlin")
        let second = try CronTimeZone(identifier: "Europe/Berlin")
        #expect(first == second)
        #expect(first.hasTransitions)
        #expect(!CronTimeZone.utc.hasTransitions)
        #expect(try CronTimeZone(identifier: "UTC") == .utc)
        #expect(try CronTimeZone(identifier: "") == .utc)
        #expect(try CronTimeZone(identifier: "Etc/UTC").offset(at: .unixEpoch) == 0)
    }

    @Test("A directory of bad files gives clear errors, not crashes")
    func badFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cron-tz-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("not a zone".utf8).write(to: directory.appendingPathComponent("Bad"))
        let real = try Data(contentsOf: URL(fileURLWithPath: "/usr/share/zoneinfo/America/New_York"))
        try real.prefix(real.count / 2).write(to: directory.appendingPathComponent("Truncated"))
        try real.write(to: directory.appendingPathComponent("Good"))
        func code(_ name: String) -> CronScheduleError.Code? {
            do {
                _ = try CronTimeZone(identifier: name, directory: directory.path)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code("Bad") == .invalidTimeZoneData)
        #expect(code("Truncated") == .invalidTimeZoneData)
        #expect(code("Missing") == .unknownTimeZone)
        #expect(code("Good") == nil)
        var rng = SeededGenerator(seed: 77)
        for index in 0..<300 {
            var bytes = Array(real)
            for _ in 0..<8 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            try Data(bytes).write(to: directory.appendingPathComponent("Fuzz\(index)"))
            if let zone = try? CronTimeZone(identifier: "Fuzz\(index)", directory: directory.path),
               let schedule = try? CronSchedule("*/30 * * * *", timeZone: zone) {
                _ = schedule.next(after: at("2025-03-09T06:00:00Z"))
                _ = schedule.previous(before: at("2025-03-09T06:00:00Z"))
            }
        }
    }

    @Test("RFC 3339 formats with the zone's offset and parses back", arguments: [
        ("2025-11-02T05:30:00Z", "America/New_York", "2025-11-02T01:30:00-04:00"),
        ("2025-11-02T06:30:00Z", "America/New_York", "2025-11-02T01:30:00-05:00"),
        ("2025-06-01T03:15:00Z", "Asia/Kathmandu", "2025-06-01T09:00:00+05:45"),
        ("2025-06-01T00:00:00Z", "UTC", "2025-06-01T00:00:00Z"),
        ("1969-12-31T23:59:59Z", "UTC", "1969-12-31T23:59:59Z"),
    ])
    func rfc3339(utc: String, zone: String, expected: String) throws {
        let instant = at(utc)
        #expect(RFC3339.format(instant, in: try CronTimeZone(identifier: zone)) == expected)
        #expect(RFC3339.parse(expected) == instant)
    }

    @Test("RFC 3339 parsing refuses malformed text and accepts fractions")
    func rfc3339Parsing() {
        #expect(RFC3339.parse("2025-06-01T00:00:00.999Z") == at("2025-06-01T00:00:00Z"))
        #expect(RFC3339.parse("2025-06-01 00:00:00+02:00") == at("2025-05-31T22:00:00Z"))
        for bad in ["", "2025-06-01", "2025-02-30T00:00:00Z", "2025-06-01T24:00:00Z", "2025-06-01T00:00:00", "2025-06-01T00:00:00+0200", "x025-06-01T00:00:00Z"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("Date conversions round down to the second")
    func dates() {
        #expect(CronInstant(Date(timeIntervalSince1970: 10.9)).secondsSinceEpoch == 10)
        #expect(CronInstant(Date(timeIntervalSince1970: -0.5)).secondsSinceEpoch == -1)
        #expect(CronInstant(secondsSinceEpoch: 42).date == Date(timeIntervalSince1970: 42))
        #expect(CronInstant(Date.distantFuture).secondsSinceEpoch > 0)
    }
}
