/// The calendar searches behind ``CronSchedule/next(after:)``,
/// ``CronSchedule/previous(before:)`` and ``CronSchedule/count(after:atOrBefore:)``.
///
/// Each walks the zone's offset segments (usually one or two per call) and, inside a
/// segment, searches wall-clock seconds with the bit sets of ``CalendarFields``; the
/// ``DSTRule`` says where each segment's wall clock begins and which instant a found
/// wall-clock second fires at. The searches stop at the bounds of `SearchBounds.swift`,
/// past which there is provably nothing to find.
extension CronSchedule {
    func nextCalendar(_ fields: CalendarFields, _ rule: DSTRule, after t: Int64) -> Int64? {
        var from = max(t + 1, CivilTime.minimumSecond)
        let limit = min(nextSearchEnd(from: from, rule), CivilTime.maximumSecond)
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
        let upper = min(t - 1, CivilTime.maximumSecond)
        let floor = max(lowerBound, CivilTime.minimumSecond)
        guard upper >= floor else { return nil }
        let search = previousSearch(atOrBefore: upper, rule)
        if let found = previousCalendar(fields, rule, atOrBefore: upper, notBefore: max(floor, search.lower)) {
            return found
        }
        guard let then = search.then, then.upper >= floor else { return nil }
        return previousCalendar(fields, rule, atOrBefore: then.upper, notBefore: max(floor, then.lower))
    }

    /// The latest fire time in `lower...upper`, walking segments down from `upper`.
    private func previousCalendar(_ fields: CalendarFields, _ rule: DSTRule, atOrBefore upper: Int64, notBefore lower: Int64) -> Int64? {
        guard upper >= lower else { return nil }
        var upper = upper
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
