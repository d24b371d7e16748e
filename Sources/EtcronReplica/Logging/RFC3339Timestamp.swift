import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A UTC wall-clock time with millisecond precision, written as RFC 3339
/// (`2026-05-04T12:34:56.789Z`), the `ts` of JSON log lines.
public struct RFC3339Timestamp: Sendable, Hashable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64
    /// Milliseconds past `secondsSince1970`, 0...999.
    public var milliseconds: Int

    /// A timestamp from its parts.
    public init(secondsSince1970: Int64, milliseconds: Int) {
        self.secondsSince1970 = secondsSince1970
        self.milliseconds = milliseconds
    }

    /// The current wall-clock time.
    @Sendable public static func now() -> RFC3339Timestamp {
        let now = Date().timeIntervalSince1970
        let seconds = now.rounded(.down)
        return RFC3339Timestamp(secondsSince1970: Int64(seconds), milliseconds: min(999, Int((now - seconds) * 1000)))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var description: String {
        var seconds = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(milliseconds, 3) + "Z"
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
