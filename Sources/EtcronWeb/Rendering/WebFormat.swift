import CronSchedule
import Foundation

/// How the dashboard writes times and durations: times in the job's zone as
/// `2026-12-06 09:00:00+01:00` (UTC as `2026-12-06 08:00:00 UTC`), durations as `120 ms`, `3.4 s`, `2 min 5 s`.
enum WebFormat {
    /// A time in `zone`, to the second.
    static func time(_ date: Date?, zone: CronTimeZone = .utc) -> String? {
        guard let date else { return nil }
        let text = RFC3339.format(CronInstant(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down))), in: zone)
        let spaced = text.replacingOccurrences(of: "T", with: " ")
        return spaced.hasSuffix("Z") ? spaced.dropLast() + " UTC" : spaced
    }

    /// A duration given in seconds.
    static func duration(seconds: Double?) -> String? {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return nil }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60) min \(Int(seconds) % 60) s" }
        return "\(Int(seconds) / 3600) h \(Int(seconds) % 3600 / 60) min"
    }

    /// How long ago `date` was: `12 s ago`, `3 min ago`, `2 h ago`, `4 d ago`.
    static func age(_ date: Date?, now: Date) -> String? {
        guard let date else { return nil }
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds) s ago"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86400: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86400) d ago"
        }
    }
}
