import Foundation

/// A point in time with whole-second resolution: seconds since 1970-01-01T00:00:00Z.
///
/// Cron works in whole seconds, and an `Int64` is cheaper to compare, hash and do
/// arithmetic on than `Date`. Convert at the edges with ``init(_:)`` and ``date``.
/// Schedules answer only for instants in ``supportedRange`` (years 0001 through 9999);
/// outside it they return `nil` rather than trap.
public struct CronInstant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Seconds since the Unix epoch (negative before 1970).
    public var secondsSinceEpoch: Int64

    /// Wraps a count of seconds since the Unix epoch.
    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// Converts a `Date`, rounding down to the whole second (so a fire time at 12:00:00
    /// is still "after" a `now` of 11:59:59.999).
    ///
    /// Dates outside what an `Int64` of seconds can hold are clamped.
    public init(_ date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        if seconds.isNaN {
            self.secondsSinceEpoch = 0
        } else if seconds >= 9.2e18 {
            self.secondsSinceEpoch = .max
        } else if seconds <= -9.2e18 {
            self.secondsSinceEpoch = .min
        } else {
            self.secondsSinceEpoch = Int64(seconds)
        }
    }

    /// The same instant as a Foundation `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: TimeInterval(secondsSinceEpoch))
    }

    /// 1970-01-01T00:00:00Z.
    public static let unixEpoch = CronInstant(secondsSinceEpoch: 0)

    /// The instants schedules compute with: 0001-01-01T00:00:00Z through
    /// 9999-12-31T23:59:59Z. Keeping to four-digit years keeps every civil-date
    /// computation far from integer overflow.
    public static let supportedRange: ClosedRange<CronInstant> =
        CronInstant(secondsSinceEpoch: CivilTime.minimumSecond)...CronInstant(secondsSinceEpoch: CivilTime.maximumSecond)

    /// This instant moved by a number of seconds, saturating instead of overflowing.
    public func adding(seconds: Int64) -> CronInstant {
        let (sum, overflow) = secondsSinceEpoch.addingReportingOverflow(seconds)
        if overflow { return CronInstant(secondsSinceEpoch: seconds > 0 ? .max : .min) }
        return CronInstant(secondsSinceEpoch: sum)
    }

    /// Orders instants by time.
    public static func < (lhs: CronInstant, rhs: CronInstant) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    /// RFC 3339 in UTC, e.g. `2025-11-02T05:30:00Z`.
    public var description: String {
        RFC3339.format(self, offsetSeconds: 0)
    }
}
