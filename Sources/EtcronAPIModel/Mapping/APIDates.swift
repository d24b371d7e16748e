import CronSchedule
import Foundation
import OpenAPIRuntime

/// The API's timestamps, RFC 3339 in UTC with exactly three fractional digits
/// (`2026-01-01T02:30:00.120Z`), written and read without Foundation's date formatters
/// (slow, and locked: one shared formatter behind a mutex on every request); offsets other
/// than `Z` are read too.
public struct APIDates: DateTranscoder {
    /// The transcoder.
    public init() {}

    public func encode(_ date: Date) throws -> String {
        Self.string(date)
    }

    /// `date` as the API writes it.
    public static func string(_ date: Date) -> String {
        RFC3339.utc(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    public func decode(_ text: String) throws -> Date {
        guard let milliseconds = RFC3339.parseMilliseconds(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\"\(text)\" is not an RFC 3339 date-time"))
        }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
