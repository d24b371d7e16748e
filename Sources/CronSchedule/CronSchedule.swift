/// A parsed, validated cron schedule in a time zone: the value every scheduling decision
/// rests on.
///
/// Parse once with ``init(_:timeZone:seed:anchor:)``, then ask ``next(after:)``,
/// ``previous(before:)``, ``mostRecent(atOrBefore:notBefore:)`` and
/// ``count(after:atOrBefore:)`` as often as needed: they read no clock and no files.
/// For ordinary schedules each costs well under a microsecond whatever the gap; one
/// whose fire times are decades apart costs at most a few microseconds, and one whose
/// remaining fire times offset changes all skip searches 400 years (under a
/// millisecond) before answering nil (see "Rare schedules"). Instants are whole seconds
/// (``CronInstant``).
///
/// ## DST
///
/// Daylight-saving changes are handled as Debian's cron does:
/// - A *fixed* schedule (see ``firesAtFixedWallClockTimes``: 5 fields, and neither the
///   minute nor the hour field starts with `*`) fires once for a wall-clock time skipped
///   by a spring-forward, at the first instant after the jump (`30 2 * * *` in New York
///   fires at 03:00 EDT that day), and once for a wall-clock time repeated by a
///   fall-back, at its first occurrence.
/// - Every other schedule (including every 6-field schedule) follows real elapsed time:
///   it fires at each instant whose wall-clock time matches. So `*/30 * * * *` fires at
///   both 01:00 and both 01:30 of a fall-back night, and a wall-clock time that does not
///   exist is simply not fired: on New York's spring-forward day `*/30 * * * *` has no
///   02:00 and no 02:30 (01:30 EST is followed by 03:00 EDT), and `* 2 * * *` does not
///   fire that day at all.
/// The same rule applies to every offset change in the tz database, not only to DST
/// (Debian's cron treats jumps over 3 hours as clock corrections; etcron does not).
///
/// ## Rare schedules
///
/// A schedule is refused only if it never fires (`0 0 30 2 *`, `0 0 31 4 *`). Every
/// other one is accepted however rarely it fires: February 29 (`0 0 29 2 *`, 8 years
/// apart around 2100), the fifth Monday of February (`0 0 * 2 1#5`), 1 November when it
/// is a Sunday (`44 23 */30 11 7`, up to 11 years apart). ``largestGapSeconds`` says how
/// far apart its fire times can be, so callers can warn about such schedules.
/// `next(after:)` and friends find the real fire time however far away it is; they
/// return `nil` only when there is none in ``CronInstant/supportedRange``: for instants
/// near its ends, or for a non-fixed schedule that matches only wall-clock times skipped
/// by offset changes from then on (such as `* 2 * 3 0#2` in New York: 02:00 on the
/// second Sunday of March has not existed there since 2007, so `next` finds nothing
/// after that and `previous` finds 2006).
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The canonical expression: names replaced by numbers, `H` resolved to the values
    /// the seed picked, descriptors expanded (`@daily` is `0 0 * * *`), `@every`
    /// durations normalized (`@every 1h30m`), single spaces. Parsing it again (with no
    /// seed) gives an equal schedule.
    public let expression: String

    /// The zone whose wall clock the schedule reads; UTC unless given.
    public let timeZone: CronTimeZone

    /// The instant `@every` counts from: it fires at `anchor + k * interval` for every
    /// integer `k`. For calendar schedules it is always ``CronInstant/unixEpoch``.
    public let anchor: CronInstant

    /// The longest time, in seconds, that can pass between two consecutive fire times.
    ///
    /// For `@every` it is the interval. For a calendar schedule it is measured on the
    /// wall clock over the whole 400-year Gregorian cycle, so it is exact and the same in
    /// every zone: 300 for `*/5 * * * *`, 3 days for `0 9 * * 1-5` (Friday to Monday),
    /// 16 hours for `0 9,17 * * *`, 2,921 days for `0 0 29 2 *` (2096 to 2104: 2100 is
    /// not a leap year). Offset changes can make a real gap longer by the size of the
    /// change, and for a schedule that does not fire at fixed wall-clock times (see
    /// ``firesAtFixedWallClockTimes``) by the fire times a spring-forward skips.
    /// Computed once, when the schedule is parsed.
    public let largestGapSeconds: Int64

    let kind: Kind

    enum Kind: Sendable, Hashable {
        case calendar(CalendarFields, DSTRule)
        case every(seconds: Int64)
    }

    /// For a calendar schedule: how far past an instant the next matching wall-clock
    /// day can fire, in seconds. One day more than the largest gap between fire days
    /// covers the times of day; another day and the zone's offset spread cover the
    /// difference between wall clock and UTC. (0 for `@every`.)
    let calendarSpan: Int64

    /// Parses and validates an expression.
    ///
    /// - Parameters:
    ///   - expression: 5 fields (minute hour day-of-month month day-of-week), 6 with
    ///     seconds first, an `@` descriptor, or `@every <duration>`.
    ///   - timeZone: the zone whose wall clock the fields describe.
    ///   - seed: what `H` hashes (use the job's tenant and name, e.g. `acme/payroll`);
    ///     `H` without a seed is an error naming the field.
    ///   - anchor: where `@every` counts from; ignored by calendar schedules. The
    ///     default, the Unix epoch, makes `@every 90s` fire on multiples of 90 s, the
    ///     same on every replica.
    /// - Throws: ``CronScheduleError`` naming the field, the text, its position and what
    ///   was expected; never traps, whatever the input.
    public init(
        _ expression: String, timeZone: CronTimeZone = .utc, seed: String? = nil, anchor: CronInstant = .unixEpoch
    ) throws(CronScheduleError) {
        let parsed = try CronParser(expression, seed: seed).parse()
        self.timeZone = timeZone
        switch parsed {
        case .every(let seconds):
            self.kind = .every(seconds: seconds)
            self.anchor = CronInstant(
                secondsSinceEpoch: min(max(anchor.secondsSinceEpoch, CivilTime.minimumSecond), CivilTime.maximumSecond))
            self.expression = "@every " + Self.durationText(seconds)
            self.largestGapSeconds = seconds
            self.calendarSpan = 0
        case .calendar(let fields, let hasSeconds):
            let compiled = CalendarFields(fields)
            let canonical = (hasSeconds ? fields : Array(fields.dropFirst())).map(\.canonicalText).joined(separator: " ")
            let dayGap = try FireGaps.largestDayGap(compiled, expression: canonical)
            let fixed = !hasSeconds && !fields[1].startsWithStar && !fields[2].startsWithStar
            self.kind = .calendar(compiled, fixed ? .fixedWallClock : .elapsedTime)
            self.anchor = .unixEpoch
            self.expression = canonical
            self.largestGapSeconds = FireGaps.largestGapSeconds(compiled, dayGap: dayGap)
            self.calendarSpan = (dayGap + 2) * CivilTime.secondsPerDay + timeZone.rules.offsetSpread
        }
    }

    /// Parses an expression in the zone with an IANA name (`UTC` if empty).
    ///
    /// Throws ``CronScheduleError/Code/unknownTimeZone`` for a name not in the system tz
    /// database, as well as every error of ``init(_:timeZone:seed:anchor:)``.
    public init(
        _ expression: String, timeZoneIdentifier: String, seed: String? = nil, anchor: CronInstant = .unixEpoch
    ) throws(CronScheduleError) {
        try self.init(expression, timeZone: CronTimeZone(identifier: timeZoneIdentifier), seed: seed, anchor: anchor)
    }

    /// Whether the Debian "fixed time" DST rule applies: a 5-field schedule whose minute
    /// and hour fields both name fixed values (neither starts with `*`). Such a schedule
    /// fires skipped wall-clock times once after a spring-forward and repeated ones only
    /// at their first occurrence; others follow real elapsed time.
    public var firesAtFixedWallClockTimes: Bool {
        if case .calendar(_, let rule) = kind { return rule == .fixedWallClock }
        return false
    }

    /// The interval of an `@every` schedule in seconds, nil for a calendar schedule.
    public var intervalSeconds: Int64? {
        if case .every(let seconds) = kind { return seconds }
        return nil
    }

    /// The canonical expression, plus the zone when it is not UTC: `0 9 * * 1-5 (Europe/Berlin)`.
    public var description: String {
        timeZone == .utc ? expression : "\(expression) (\(timeZone.identifier))"
    }

    // MARK: Queries

    /// The first fire time strictly after `instant`, however far away, or nil if there is
    /// none in the supported range (see "Rare schedules" in the type's documentation).
    public func next(after instant: CronInstant) -> CronInstant? {
        let t = instant.secondsSinceEpoch
        guard t < CivilTime.maximumSecond else { return nil }
        switch kind {
        case .every(let seconds):
            let anchor = self.anchor.secondsSinceEpoch
            let from = max(t, CivilTime.minimumSecond - 1)
            let result = anchor + (CivilTime.floorDivide(from - anchor, seconds) + 1) * seconds
            return result <= CivilTime.maximumSecond ? CronInstant(secondsSinceEpoch: result) : nil
        case .calendar(let fields, let rule):
            return nextCalendar(fields, rule, after: t).map(CronInstant.init(secondsSinceEpoch:))
        }
    }

    /// The last fire time strictly before `instant`, however far back, or nil if there is
    /// none in the supported range.
    public func previous(before instant: CronInstant) -> CronInstant? {
        previous(before: instant.secondsSinceEpoch, notBefore: CivilTime.minimumSecond)
    }

    /// The latest fire time in `notBefore...atOrBefore`, or nil if the window holds none.
    ///
    /// This is what a scheduler asks after an outage ("which run should I catch up?").
    /// It costs the same whether the window holds one missed time or a million: it
    /// searches backwards through the calendar, never over individual fire times.
    public func mostRecent(atOrBefore upper: CronInstant, notBefore lower: CronInstant) -> CronInstant? {
        let last = min(upper.secondsSinceEpoch, CivilTime.maximumSecond)
        guard lower.secondsSinceEpoch <= last else { return nil }
        return previous(before: last + 1, notBefore: lower.secondsSinceEpoch)
    }

    /// The number of fire times `t` with `after < t <= atOrBefore`.
    ///
    /// Computed without visiting each fire time: per offset segment of the zone it adds
    /// up whole matching days (one bit count per month) and the matching seconds of the
    /// partial days at the ends, so its cost grows with the number of months and DST
    /// changes in the window, not with the count (a year of an every-second schedule is
    /// as cheap as a year of a daily one).
    public func count(after lower: CronInstant, atOrBefore upper: CronInstant) -> Int {
        let a = max(lower.secondsSinceEpoch, CivilTime.minimumSecond - 1)
        let b = min(upper.secondsSinceEpoch, CivilTime.maximumSecond)
        guard a < b else { return 0 }
        switch kind {
        case .every(let seconds):
            let anchor = self.anchor.secondsSinceEpoch
            return Int(CivilTime.floorDivide(b - anchor, seconds) - CivilTime.floorDivide(a - anchor, seconds))
        case .calendar(let fields, let rule):
            return Int(countCalendar(fields, rule, after: a, atOrBefore: b))
        }
    }

    /// The fire times strictly after `instant`, in increasing order; ends only where
    /// ``next(after:)`` returns nil.
    public func fireTimes(after instant: CronInstant) -> FireTimes {
        FireTimes(schedule: self, cursor: instant)
    }

    /// An iterator and sequence over fire times, each strictly after the one before.
    public struct FireTimes: Sequence, IteratorProtocol, Sendable {
        /// The schedule being iterated.
        public let schedule: CronSchedule
        /// The last instant returned (or the starting instant).
        public private(set) var cursor: CronInstant

        /// The next fire time after ``cursor``, or nil when there is none.
        public mutating func next() -> CronInstant? {
            guard let fire = schedule.next(after: cursor) else { return nil }
            cursor = fire
            return fire
        }
    }

    // MARK: Evaluation

    private func previous(before t: Int64, notBefore lowerBound: Int64) -> CronInstant? {
        guard t > CivilTime.minimumSecond else { return nil }
        switch kind {
        case .every(let seconds):
            let anchor = self.anchor.secondsSinceEpoch
            let upper = min(t - 1, CivilTime.maximumSecond)
            let result = anchor + CivilTime.floorDivide(upper - anchor, seconds) * seconds
            return result >= max(lowerBound, CivilTime.minimumSecond) ? CronInstant(secondsSinceEpoch: result) : nil
        case .calendar(let fields, let rule):
            return previousCalendar(fields, rule, before: t, notBefore: lowerBound)
                .map(CronInstant.init(secondsSinceEpoch:))
        }
    }

    /// `5400` as `1h30m`.
    static func durationText(_ seconds: Int64) -> String {
        var text = ""
        var rest = seconds
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }
}
