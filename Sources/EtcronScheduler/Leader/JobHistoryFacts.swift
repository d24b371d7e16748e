import EtcronCore
/// What the leader's garbage collection knows of one job, from the index.
struct JobHistoryFacts: Sendable, Hashable {
    var job: JobID
    /// The spec record is gone (`etcron delete`); status, runs or decisions may be left.
    var deleted: Bool
    /// The status cursor: every scheduled time up to here is decided.
    var decidedThroughUnix: Int64
    /// The newest of the cursor, the last `error` decision and the runs' creation and
    /// finish times.
    var lastActivityUnix: Int64
    /// Some run is pending or running.
    var hasActiveRuns: Bool
}
