/// How far the calendar searches must look: exactly far enough that finding nothing
/// proves there is nothing to find, however rare the schedule.
///
/// Two facts bound them:
/// - Every matching wall-clock day fires when the wall clock cannot skip it: always
///   under ``DSTRule/fixedWallClock`` (skipped times fire at the jump), and under
///   ``DSTRule/elapsedTime`` wherever the offset is fixed. There the next fire time is at
///   most ``CronSchedule/calendarSpan`` away, a span derived from the schedule's largest
///   gap between fire days.
/// - Under ``DSTRule/elapsedTime`` an offset change can skip a fire time, and can keep
///   skipping it (`* 2 * 3 0#2` in New York has not fired since 2006). But from
///   ``ZoneRules/regularFrom`` on, offsets follow the zone's footer rule, which repeats
///   with the calendar every 400 years, and so do the fire times. A fire time after that
///   instant therefore has a copy within one cycle of any later instant, and one cycle
///   without a fire time means there are none at all on that side.
/// Ordinary schedules find a fire time long before these bounds; they only decide when
/// a search gives up.
extension CronSchedule {
    /// The last instant ``nextCalendar(_:_:after:)`` must examine when it searches from `from`.
    func nextSearchEnd(from: Int64, _ rule: DSTRule) -> Int64 {
        if rule == .fixedWallClock { return from + calendarSpan }
        let rules = timeZone.rules
        let regular = max(from, rules.regularFrom)
        return regular + (rules.rule == nil ? calendarSpan : GregorianCycle.seconds)
    }

    /// Where ``previousCalendar(_:_:before:notBefore:)`` must search down to from
    /// `upper`, and, if a stretch below that lower bound is known to hold no fire time,
    /// the stretch that must be searched after it (`then`).
    func previousSearch(atOrBefore upper: Int64, _ rule: DSTRule) -> (lower: Int64, then: (upper: Int64, lower: Int64)?) {
        if rule == .fixedWallClock { return (upper - calendarSpan, nil) }
        let rules = timeZone.rules
        // Below the zone's first transition the offset is fixed, so a fire time is at
        // most one span further down.
        let throughHistory = min(upper, rules.firstTransition) - calendarSpan
        if rules.rule == nil {
            return upper - calendarSpan >= rules.regularFrom ? (upper - calendarSpan, nil) : (throughHistory, nil)
        }
        let cycleStart = upper - GregorianCycle.seconds + 1
        guard cycleStart > rules.regularFrom else { return (throughHistory, nil) }
        // One cycle down from `upper` holds a copy of every fire time from regularFrom
        // up; if it has none, the search resumes below regularFrom.
        let resume = rules.regularFrom - 1
        return (cycleStart, (resume, min(resume, rules.firstTransition) - calendarSpan))
    }
}
