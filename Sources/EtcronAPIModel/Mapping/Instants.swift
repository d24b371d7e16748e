import Foundation

/// Stored times (Unix seconds or milliseconds, 0 for none) as the contract's dates.
public enum Instants {
    /// The date of `milliseconds` since the epoch; nil for 0 (not set).
    public static func date(milliseconds: Int64) -> Date? {
        milliseconds == 0 ? nil : Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The date of `seconds` since the epoch; nil for 0 (not set).
    public static func date(seconds: Int64) -> Date? {
        seconds == 0 ? nil : Date(timeIntervalSince1970: Double(seconds))
    }

    /// An int64 (revision, fencing token, lease ID) as the contract sends it: a decimal
    /// string; nil for 0 (not set).
    public static func revision(_ value: Int64) -> String? {
        value == 0 ? nil : String(value)
    }
}
