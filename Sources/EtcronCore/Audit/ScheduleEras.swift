import CronSchedule
import EtcronProto

/// The schedules a job had and when each applied, from its spec: the history the job
/// store keeps (``Etcron_V1_JobSpec/scheduleHistory``) and the current schedule, which
/// applies after `schedule_since`. A scheduled time `t` (Unix seconds) belongs to the era
/// with `after < t <= through`, as the leader decides: a job's times start after its
/// creation or its schedule's last change.
public struct ScheduleEra: Sendable {
    /// The compiled schedule; nil when it does not compile (its times cannot be checked).
    public var schedule: CronSchedule?
    /// The expression as stored.
    public var expression: String
    /// Times after this instant (Unix seconds) are this era's.
    public var after: Int64
    /// Times at or before this instant are this era's (`Int64.max` for the current one).
    public var through: Int64

    /// The eras of `spec`, oldest first.
    public static func of(_ spec: Etcron_V1_JobSpec) -> [ScheduleEra] {
        let seed = JobID(tenant: spec.tenant, name: spec.name).description
        func compile(_ expression: String, _ zone: String, _ anchor: Int64) -> CronSchedule? {
            try? CronSchedule(
                expression, timeZoneIdentifier: zone.isEmpty ? "UTC" : zone, seed: seed, anchor: CronInstant(secondsSinceEpoch: anchor))
        }
        var eras = spec.scheduleHistory.map { era in
            ScheduleEra(
                schedule: compile(era.schedule, era.timeZone, era.everyAnchorUnix), expression: era.schedule,
                after: era.sinceUnixMs / 1000, through: era.untilUnixMs / 1000)
        }
        let since = max(spec.createdAtUnixMs, spec.scheduleSinceUnixMs) / 1000
        eras.append(ScheduleEra(
            schedule: compile(spec.schedule, spec.timeZone, spec.everyAnchorUnix), expression: spec.schedule, after: since,
            through: .max))
        return eras
    }

    /// The scheduled times of this era in `(after, through]` of the window, ascending.
    public func times(after windowStart: Int64, through windowEnd: Int64) -> [Int64] {
        guard let schedule else { return [] }
        let start = max(after, windowStart)
        let end = min(through, windowEnd)
        var times: [Int64] = []
        for instant in schedule.fireTimes(after: CronInstant(secondsSinceEpoch: start)) {
            guard instant.secondsSinceEpoch <= end else { break }
            times.append(instant.secondsSinceEpoch)
        }
        return times
    }
}
