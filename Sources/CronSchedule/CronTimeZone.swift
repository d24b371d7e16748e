import Foundation
import Synchronization

/// An IANA time zone read from the system tz database, for schedule evaluation.
///
/// Loading parses the TZif file once; the result is cached for the life of the process
/// (``init(identifier:)`` is cheap after the first call for a name). Offsets come from
/// the file's transition table and, after its end, from its POSIX TZ footer, so dates
/// far in the future are right too. Equal when the identifiers are equal.
public struct CronTimeZone: Sendable, Hashable, CustomStringConvertible {
    /// Where the system keeps the tz database.
    public static let defaultDirectory = "/usr/share/zoneinfo"

    /// Coordinated Universal Time; needs no file.
    public static let utc = CronTimeZone(rules: ZoneRules(identifier: "UTC", tzif: nil))

    let rules: ZoneRules

    private init(rules: ZoneRules) {
        self.rules = rules
    }

    /// Loads (or returns the cached) zone with an IANA name such as `Europe/Berlin`.
    ///
    /// `UTC` (and the empty string) is built in. Throws ``CronScheduleError/Code/unknownTimeZone``
    /// when there is no such zone file, and ``CronScheduleError/Code/invalidTimeZoneData``
    /// when the file is not readable TZif.
    public init(identifier: String, directory: String = CronTimeZone.defaultDirectory) throws(CronScheduleError) {
        if identifier.isEmpty || identifier == "UTC" {
            self = .utc
            return
        }
        let key = directory + "\u{0}" + identifier
        if let cached = Self.cache.withLock({ $0[key] }) {
            self = cached
            return
        }
        guard Self.isPlausibleName(identifier),
              let data = FileManager.default.contents(atPath: directory + "/" + identifier)
        else {
            throw CronScheduleError(code: .unknownTimeZone, message: "unknown time zone \"\(identifier)\"")
        }
        let tzif: TZif
        do {
            tzif = try TZif(Array(data))
        } catch {
            throw CronScheduleError(
                code: .invalidTimeZoneData, text: identifier, message: "is not a readable tz database zone: \(error.reason)")
        }
        let zone = CronTimeZone(rules: ZoneRules(identifier: identifier, tzif: tzif))
        Self.cache.withLock { $0[key] = zone }
        self = zone
    }

    /// The IANA name, e.g. `America/New_York`.
    public var identifier: String { rules.identifier }

    /// Same as ``identifier``.
    public var description: String { identifier }

    /// Offset from UTC, in seconds east, in force at an instant.
    public func offset(at instant: CronInstant) -> Int {
        Int(rules.segment(containing: instant.secondsSinceEpoch).offset)
    }

    /// Whether the zone ever changes offset (UTC and fixed-offset zones do not).
    public var hasTransitions: Bool { !rules.isFixed }

    /// Equal when the identifiers are equal.
    public static func == (lhs: CronTimeZone, rhs: CronTimeZone) -> Bool {
        lhs.identifier == rhs.identifier
    }

    /// Hashes the identifier.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(identifier)
    }

    /// Parsed zones by directory and name. A zone is immutable once built, so sharing one
    /// value between all schedules and threads is safe; the lock guards only the map.
    private static let cache = Mutex<[String: CronTimeZone]>([:])

    /// Refuses names that could escape the database directory or are not zone names.
    private static func isPlausibleName(_ name: String) -> Bool {
        guard name.utf8.count <= 255, !name.hasPrefix("/") else { return false }
        for byte in name.utf8 {
            let ok = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            if !ok { return false }
        }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }
}
