import CronSchedule
import EtcronProto

extension JobValidation {
    /// The longest gap between fire times a schedule may have before writers are warned:
    /// a schedule that fires once in years is valid (Debian's cron fires it too), but more
    /// likely a typo than an intent, and a job that fires that rarely is easy to forget.
    public static let rareScheduleWarningSeconds: Int64 = 365 * 86_400

    /// What is allowed but worth a warning about a valid `spec` (nothing for an invalid one:
    /// its problems say more): today, a schedule whose fire times can be more than a year
    /// apart.
    public static func warnings(for spec: Etcron_V1_JobSpec) -> [JobValidationProblem] {
        guard let schedule = check(spec).schedule, schedule.largestGapSeconds > rareScheduleWarningSeconds else { return [] }
        let days = schedule.largestGapSeconds / 86_400
        return [JobValidationProblem(
            field: "schedule",
            reason: "\"\(spec.schedule)\" fires rarely: its fire times can be \(days) days (about \(days / 365) years) apart")]
    }
}
