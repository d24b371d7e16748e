import CronSchedule
import EtcronProto

/// Checks invariant 2 over stored decision records: every scheduled time of a job in a
/// window is covered by exactly one decision (a range record covers each time it counts),
/// and no record covers a time that was not scheduled.
public struct DecisionAudit: Sendable, Hashable {
    /// Scheduled times with no decision.
    public var missing: [Int64] = []
    /// Scheduled times covered by more than one decision.
    public var duplicated: [Int64] = []
    /// Decision times that are not scheduled times.
    public var unexpected: [Int64] = []
    /// Scheduled times checked.
    public var checked = 0

    /// Whether the invariant holds.
    public var isClean: Bool { missing.isEmpty && duplicated.isEmpty && unexpected.isEmpty }

    /// Audits `decisions` of a job with `schedule` over `(after, through]`. Error records
    /// (count 0, for a spec that could not be scheduled) are ignored.
    public init(schedule: CronSchedule, decisions: [Etcron_V1_Decision], after: Int64, through: Int64) {
        var covered: [Int64: Int] = [:]
        for decision in decisions where decision.count > 0 {
            var times = [decision.scheduledUnix]
            if decision.count > 1 {
                times = []
                var cursor = CronInstant(secondsSinceEpoch: decision.rangeStartUnix - 1)
                for _ in 0..<decision.count {
                    guard let next = schedule.next(after: cursor), next.secondsSinceEpoch <= decision.scheduledUnix else { break }
                    times.append(next.secondsSinceEpoch)
                    cursor = next
                }
            }
            for time in times where time > after && time <= through {
                covered[time, default: 0] += 1
            }
        }
        for instant in schedule.fireTimes(after: CronInstant(secondsSinceEpoch: after)) {
            guard instant.secondsSinceEpoch <= through else { break }
            checked += 1
            switch covered.removeValue(forKey: instant.secondsSinceEpoch) {
            case nil: missing.append(instant.secondsSinceEpoch)
            case 1: break
            default: duplicated.append(instant.secondsSinceEpoch)
            }
        }
        unexpected = covered.keys.sorted()
    }
}
