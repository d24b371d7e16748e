import CronSchedule
import Testing

/// The API's timestamps: UTC with exactly three fractional digits, read back exactly.
@Suite("RFC 3339 with milliseconds")
struct RFC3339MillisecondsTests {
    @Test("formats three digits in UTC, before and after the epoch; parses fractions and offsets to the millisecond")
    func roundTrip() {
        #expect(RFC3339.utc(milliseconds: 1_767_234_600_120) == "2026-01-01T02:30:00.120Z")
        #expect(RFC3339.utc(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.utc(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        for value: Int64 in [0, 1, 999, 1_767_234_600_120, -1, -1001, 253_402_300_799_999] {
            #expect(RFC3339.parseMilliseconds(RFC3339.utc(milliseconds: value)) == value, "\(value)")
        }
        #expect(RFC3339.parseMilliseconds("2026-01-01T03:30:00.5+01:00") == 1_767_234_600_500)
        #expect(RFC3339.parseMilliseconds("2026-01-01T02:30:00.123456Z") == 1_767_234_600_123, "truncated to the millisecond")
        #expect(RFC3339.parseMilliseconds("2026-01-01T02:30:00Z") == 1_767_234_600_000)
        #expect(RFC3339.parseMilliseconds("2026-02-30T00:00:00Z") == nil)
        #expect(RFC3339.parseMilliseconds("yesterday") == nil)
    }
}
