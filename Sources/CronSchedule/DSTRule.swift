/// Debian's DST rules, as the mapping between wall-clock seconds and instants inside
/// one offset segment of a zone (see ``ZoneSegment``).
///
/// A segment's wall clock runs from `start + offset` to `end + offset`. What differs
/// between the rules is where a segment's wall clock is taken to *begin*:
/// - ``elapsedTime`` begins it at the segment's own first wall-clock second, so a
///   wall-clock time inside a gap belongs to no segment (never fires) and one inside an
///   overlap belongs to two (fires twice).
/// - ``fixedWallClock`` begins it where the previous segment's wall clock ended, as if
///   the clock had kept running: after a gap, the skipped times belong to this segment
///   and all fire at its first instant; after an overlap, the repeated times are
///   skipped because the previous segment already had them.
enum DSTRule: Sendable, Hashable {
    /// Debian's fixed-time jobs: 5 fields, minute and hour not starting with `*`.
    case fixedWallClock
    /// Every other schedule: fires at every instant whose wall-clock time matches.
    case elapsedTime

    /// The first wall-clock second of `segment` whose instant is at or after `from`
    /// (`from` inside the segment).
    @inline(__always)
    func firstWall(in segment: ZoneSegment, from: Int64) -> Int64 {
        let own = from + segment.offset
        switch self {
        case .elapsedTime:
            return own
        case .fixedWallClock:
            let continued = segment.start + segment.previousOffset
            return from > segment.start ? max(own, continued) : continued
        }
    }

    /// The lowest wall-clock second of `segment` whose instant is at or after `lower`.
    @inline(__always)
    func lowestWall(in segment: ZoneSegment, notBefore lower: Int64) -> Int64 {
        switch self {
        case .elapsedTime:
            return max(segment.start, lower) + segment.offset
        case .fixedWallClock:
            let continued = segment.start + segment.previousOffset
            return segment.start >= lower ? continued : max(continued, lower + segment.offset)
        }
    }

    /// The instant at which a matching wall-clock second of `segment` fires: its own
    /// instant, or the segment's first instant for a time skipped by the jump into it.
    @inline(__always)
    func instant(ofWall wall: Int64, in segment: ZoneSegment) -> Int64 {
        max(segment.start, wall - segment.offset)
    }

    /// Number of fire times of `fields` in `segment` at instants `from...last`.
    func count(_ fields: CalendarFields, in segment: ZoneSegment, from: Int64, through last: Int64) -> Int64 {
        let offset = segment.offset
        if self == .fixedWallClock, from == segment.start, segment.previousOffset < offset {
            // Every time skipped by the jump fires once, together, at the segment's start.
            let skipped = fields.countWall(from: segment.start + segment.previousOffset, through: segment.start + offset)
            return (skipped > 0 ? 1 : 0) + fields.countWall(from: segment.start + offset + 1, through: last + offset)
        }
        return fields.countWall(from: firstWall(in: segment, from: from), through: last + offset)
    }
}
