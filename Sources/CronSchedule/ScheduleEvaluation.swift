/// The calendar searches behind ``CronSchedule/next(after:)``,
/// ``CronSchedule/previous(before:)`` and ``CronSchedule/count(after:atOrBefore:)``.
///
/// Each walks the zone's offset segments (usually one or two per call) and, inside a
/// segment, searches wall-clock seconds with the bit sets of ``CalendarFields``; the
/// ``DSTRule`` says where each segment's wall clock begins and which instant a found
/// wall-clock second fires at.
extension CronSchedule {
    func nextCalendar(_ fields: CalendarFields, _ rule: DSTRule, after t: Int64) -> Int64? {
        var from = max(t + 1, CivilTime.minimumSecond)
        let limit = min(from + Self.searchLimit, CivilTime.maximumSecond)
        let rules = timeZone.rules
        var segment = rules.segment(containing: from)
        while true {
            let last = min(segment.end - 1, limit)
            if let wall = fields.nextWall(atOrAfter: rule.firstWall(in: segment, from: from), notAfter: last + segment.offset) {
                return rule.instant(ofWall: wall, in: segment)
            }
            if segment.end > limit { return nil }
            from = segment.end
            segment = rules.segment(containing: from)
        }
    }

    func previousCalendar(_ fields: CalendarFields, _ rule: DSTRule, before t: Int64, notBefore lowerBound: Int64) -> Int64? {
        var upper = min(t - 1, CivilTime.maximumSecond)
        let lower = max(lowerBound, upper - Self.searchLimit, CivilTime.minimumSecond)
        guard upper >= lower else { return nil }
        let rules = timeZone.rules
        var segment = rules.segment(containing: upper)
        while true {
            let lowestWall = rule.lowestWall(in: segment, notBefore: lower)
            if let wall = fields.previousWall(atOrBefore: upper + segment.offset, notBefore: lowestWall) {
                return rule.instant(ofWall: wall, in: segment)
            }
            if segment.start <= lower { return nil }
            upper = segment.start - 1
            segment = rules.segment(containing: upper)
        }
    }

    func countCalendar(_ fields: CalendarFields, _ rule: DSTRule, after a: Int64, atOrBefore b: Int64) -> Int64 {
        var from = a + 1
        var total: Int64 = 0
        let rules = timeZone.rules
        var segment = rules.segment(containing: from)
        while true {
            total += rule.count(fields, in: segment, from: from, through: min(segment.end - 1, b))
            if segment.end > b { return total }
            from = segment.end
            segment = rules.segment(containing: from)
        }
    }
}
