import CronSchedule
import Testing

@Suite("@every: fixed intervals from an anchor")
struct EveryTests {
    @Test("@every fires at anchor + k * interval")
    func anchored() throws {
        let anchor = at("2025-06-01T12:00:10Z")
        let schedule = try CronSchedule("@every 1h30m", anchor: anchor)
        #expect(schedule.intervalSeconds == 5400)
        #expect(schedule.next(after: anchor) == at("2025-06-01T13:30:10Z"))
        #expect(schedule.next(after: at("2025-06-01T12:00:09Z")) == anchor)
        #expect(schedule.previous(before: anchor) == at("2025-06-01T10:30:10Z"))
        #expect(Array(schedule.fireTimes(after: at("2025-06-01T14:00:00Z")).prefix(2)) == [at("2025-06-01T15:00:10Z"), at("2025-06-01T16:30:10Z")])
        #expect(schedule.mostRecent(atOrBefore: at("2025-06-02T00:00:00Z"), notBefore: anchor) == at("2025-06-01T22:30:10Z"))
        #expect(schedule.count(after: anchor, atOrBefore: at("2025-06-02T12:00:10Z")) == 16)
    }

    @Test("@every ignores the time zone and DST: it is elapsed time")
    func ignoresZone() throws {
        let anchor = at("2025-11-02T04:00:00Z")
        let schedule = try CronSchedule("@every 30m", timeZoneIdentifier: "America/New_York", anchor: anchor)
        let list = Array(schedule.fireTimes(after: anchor).prefix(4)).map { RFC3339.format($0, in: schedule.timeZone) }
        #expect(list == ["2025-11-02T00:30:00-04:00", "2025-11-02T01:00:00-04:00", "2025-11-02T01:30:00-04:00", "2025-11-02T01:00:00-05:00"])
    }

    @Test("@every defaults to the Unix epoch as anchor")
    func epochAnchor() throws {
        let schedule = try CronSchedule("@every 90s")
        #expect(schedule.next(after: at("2025-06-01T00:00:00Z")) == at("2025-06-01T00:01:30Z"))
        #expect(schedule.next(after: at("1969-12-31T23:59:00Z")) == at("1970-01-01T00:00:00Z"))
        #expect(schedule.previous(before: at("1969-12-31T23:59:00Z")) == at("1969-12-31T23:58:30Z"))
    }
}
