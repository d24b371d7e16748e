import CronSchedule
import EtcronCore
import EtcronProto
import Foundation

/// The scheduling decision for one job: a pure function of (spec, status, runs, triggers,
/// live executors, now). The leader's workers call it whenever a job is due or one of its
/// records changed, and commit its result in one transaction fenced on the leader's token.
///
/// Rules (see DESIGN.md, Semantics):
/// - Every scheduled time after the status cursor (`decided_through_unix`, or the job's
///   creation) and at or before `now` gets exactly one decision. Times missed during an
///   outage are recorded as one `missedDeadline` skip counting the range; only the most
///   recent one may run, and only within the starting deadline. However long the outage,
///   this costs the same: no iteration over missed times, and the job never hangs.
/// - A suspended job records its due times as one `suspended` skip.
/// - Forbid skips (`concurrencyPolicy`) while any run, manual ones included, is active.
///   Replace asks the active runs to stop and makes the new run wait for them.
/// - A tenant at its concurrent-run quota gets a `quota` skip.
/// - A run whose executor lost its session is retried (while attempts remain) or ends as
///   executor-lost; a pending run that was never started within the deadline fails.
/// - Finished runs beyond the history limits are deleted.
public enum JobSync {
    /// History kept per result when the spec sets no limit.
    public static let defaultHistoryLimit = 10

    /// Decides for one job.
    public static func sync(_ input: SyncInput) -> SyncResult {
        var state = SyncState(input)
        state.handleLostExecutorsAndDeadlines()
        state.decideScheduledTimes()
        state.startManualTriggers()
        state.collectAssignable()
        state.trimHistory()
        state.planNextWake()
        return state.result
    }
}
