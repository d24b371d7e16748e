/// A stretch of time with one UTC offset: the unit the evaluator works in.
///
/// Inside a segment, wall-clock time and UTC differ by a constant, so the calendar
/// search runs on wall-clock seconds and converts by one subtraction. The offset of the
/// segment before tells the DST rules whether the segment began with a gap (clocks
/// jumped forward) or an overlap (clocks went back).
struct ZoneSegment: Sendable {
    /// First instant of the segment (clamped to the supported range's edge).
    var start: Int64
    /// First instant after the segment (clamped likewise).
    var end: Int64
    /// Offset in seconds east of UTC inside the segment.
    var offset: Int64
    /// Offset just before ``start`` (equal to ``offset`` for the first segment).
    var previousOffset: Int64
}

/// The immutable, shared offset table of one zone: explicit transitions (from the TZif
/// table, extended with the footer rule through ``tableEndYear``) and, beyond them, the
/// footer rule evaluated on demand.
final class ZoneRules: Sendable {
    /// Transitions are precomputed through this year; later ones come from the rule.
    static let tableEndYear: Int64 = 2200
    /// Segment bounds are clamped a little outside the supported instants so arithmetic
    /// on them can never overflow.
    static let lowSentinel = CivilTime.minimumSecond - 4 * CivilTime.secondsPerDay
    static let highSentinel = CivilTime.maximumSecond + 4 * CivilTime.secondsPerDay

    let identifier: String
    let transitions: [Int64]
    /// `offsets[0]` is before the first transition; `offsets[i + 1]` after `transitions[i]`.
    let offsets: [Int64]
    /// The footer rule, used after the last transition when it has daylight time.
    let rule: PosixTimeZoneRule?
    /// The first transition (``highSentinel`` if none): the offset is fixed before it.
    let firstTransition: Int64
    /// From this instant on the offsets follow the footer ``rule`` alone, so they repeat
    /// every 400 years, or, without a rule, never change again.
    let regularFrom: Int64
    /// The largest offset minus the smallest: how far wall-clock and UTC distances can
    /// differ.
    let offsetSpread: Int64

    init(identifier: String, tzif: TZif?) {
        self.identifier = identifier
        guard let tzif else {
            transitions = []
            offsets = [0]
            rule = nil
            firstTransition = Self.highSentinel
            regularFrom = Self.lowSentinel
            offsetSpread = 0
            return
        }
        var times: [Int64] = []
        var after: [Int64] = [tzif.initialOffset]
        for (time, offset) in zip(tzif.transitions, tzif.offsets) {
            Self.append(time, offset, to: &times, &after)
        }
        let explicitEnd = times.last.map(Self.clamp)
        if let rule = tzif.rule, rule.daylight != nil {
            let last = times.last ?? Int64.min
            let firstYear = times.isEmpty ? 1900 : CivilTime.civilFromDays(CivilTime.floorDivide(last, CivilTime.secondsPerDay)).year
            for year in firstYear...Self.tableEndYear {
                for transition in rule.transitions(in: year) where transition.at > last {
                    Self.append(transition.at, transition.offset, to: &times, &after)
                }
            }
            self.rule = rule
            // The rule's transitions begin after the file's last one (or in 1900); a year
            // later the rule alone decides every offset.
            let ruleStart = explicitEnd ?? times.first.map(Self.clamp) ?? Self.lowSentinel
            regularFrom = min(ruleStart + 2 * 366 * CivilTime.secondsPerDay, Self.highSentinel)
        } else {
            if let rule = tzif.rule, tzif.transitions.isEmpty {
                after = [rule.standardOffset]
            }
            self.rule = nil
            regularFrom = explicitEnd ?? Self.lowSentinel
        }
        transitions = times
        offsets = after
        firstTransition = times.first.map(Self.clamp) ?? Self.highSentinel
        var every = after
        if let rule = tzif.rule, let daylight = rule.daylight { every += [rule.standardOffset, daylight.offset] }
        offsetSpread = (every.max() ?? 0) - (every.min() ?? 0)
    }

    /// A file's transition times can be anything an Int64 holds; bounds derived from them
    /// are kept between the sentinels so arithmetic on them cannot overflow.
    private static func clamp(_ time: Int64) -> Int64 {
        min(max(time, lowSentinel), highSentinel)
    }

    /// Appends a transition, dropping ones that change nothing and letting a later
    /// transition at the same instant replace an earlier one.
    private static func append(_ time: Int64, _ offset: Int64, to times: inout [Int64], _ after: inout [Int64]) {
        if let last = times.last, time <= last {
            after[after.count - 1] = offset
            if after.count >= 2, after[after.count - 2] == offset {
                times.removeLast()
                after.removeLast()
            }
            return
        }
        if after.last == offset { return }
        times.append(time)
        after.append(offset)
    }

    /// True when the offset never changes.
    var isFixed: Bool { transitions.isEmpty && rule == nil }

    /// The segment containing an instant.
    @inline(__always)
    func segment(containing t: Int64) -> ZoneSegment {
        let count = transitions.count
        if count == 0 {
            return ZoneSegment(start: Self.lowSentinel, end: Self.highSentinel, offset: offsets[0], previousOffset: offsets[0])
        }
        if rule != nil, t >= transitions[count - 1] {
            return ruleSegment(containing: t)
        }
        // Binary search: number of transitions at or before t.
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) >> 1
            if transitions[mid] <= t { low = mid + 1 } else { high = mid }
        }
        let index = low
        return ZoneSegment(
            start: index > 0 ? transitions[index - 1] : Self.lowSentinel,
            end: index < count ? transitions[index] : Self.highSentinel,
            offset: offsets[index],
            previousOffset: index > 0 ? offsets[index - 1] : offsets[index])
    }

    /// Segments after the precomputed table, from the footer rule.
    private func ruleSegment(containing t: Int64) -> ZoneSegment {
        guard let rule else { preconditionFailure("ruleSegment without a rule") }
        let tableEnd = transitions[transitions.count - 1]
        var times: [Int64] = [tableEnd]
        var after: [Int64] = [offsets[offsets.count - 2], offsets[offsets.count - 1]]
        let clamped = min(t, Self.highSentinel)
        let year = CivilTime.civilFromDays(CivilTime.floorDivide(clamped + rule.standardOffset, CivilTime.secondsPerDay)).year
        for y in (year - 1)...(year + 1) {
            for transition in rule.transitions(in: y) where transition.at > tableEnd {
                Self.append(transition.at, transition.offset, to: &times, &after)
            }
        }
        var index = times.count - 1
        while index > 0, times[index] > t { index -= 1 }
        return ZoneSegment(
            start: max(times[index], Self.lowSentinel),
            end: index + 1 < times.count ? min(times[index + 1], Self.highSentinel) : Self.highSentinel,
            offset: after[index + 1],
            previousOffset: after[index])
    }
}
