import CronSchedule
import Foundation

/// The times and durations `etcron audit` takes: an instant as RFC 3339
/// (`2026-12-06T09:00:00Z`), Unix seconds, `now`, or a duration before now (`-24h`); a
/// duration as `20m`, `90s`, `1h30m`, `500ms`.
enum AuditArguments {
    /// The instant (Unix seconds) `text` names, at `now`.
    static func instant(_ text: String, now: Int64, option: String) throws -> Int64 {
        if text == "now" { return now }
        if text.hasPrefix("-"), let ms = milliseconds(String(text.dropFirst())) { return now - ms / 1000 }
        if let seconds = Int64(text), seconds >= 0 { return seconds }
        if let instant = RFC3339.parse(text) { return instant.secondsSinceEpoch }
        throw UsageFailure(message: "\(option): \"\(text)\" is not a time: use RFC 3339 (2026-12-06T09:00:00Z), Unix seconds, now, or -DURATION (-24h)")
    }

    /// The milliseconds `text` names (`20m`, `1h30m`, `90s`, `500ms`), nil when it is not
    /// a duration.
    static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("d", 86_400_000)]
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber }
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            let (product, overflow) = value.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            total += product
        }
        return total
    }
}
