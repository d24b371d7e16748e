import EtcronCore
import EtcronProto

/// Only what `JobSync.sync` reads of a spec (the schedule itself is kept compiled), in a
/// few inline bytes: the leader holds every job in memory, so the target, labels,
/// description and owner (often the bulk of a spec) stay in etcd, where the executor reads
/// them at claim time. `sync` reads it as it is: no protobuf message is made per decision.
struct SchedulingSpec: Sendable, Hashable {
    var concurrencyPolicy: Etcron_V1_ConcurrencyPolicy
    var startingDeadlineSeconds: Int64
    var suspend: Bool
    var maxRetries: Int32
    var historySucceeded: Int32
    var historyFailed: Int32
    var createdAtUnixMs: Int64
    var scheduleSinceUnixMs: Int64
    /// For a spec an editor wrote (`policy_bound`): its target as its tenant's policy
    /// sees it, and the editor; nil for admins' specs, which no policy binds.
    var bound: Bound?

    struct Bound: Sendable, Hashable {
        var target: PolicedTarget
        var author: String
    }

    init(_ spec: Etcron_V1_JobSpec) {
        if spec.policyBound, let target = PolicedTarget(spec.target) {
            bound = Bound(target: target, author: spec.updatedBy)
        }
        concurrencyPolicy = spec.concurrencyPolicy
        startingDeadlineSeconds = spec.startingDeadlineSeconds
        suspend = spec.suspend
        maxRetries = spec.retry.maxRetries
        historySucceeded = spec.history.succeeded
        historyFailed = spec.history.failed
        createdAtUnixMs = spec.createdAtUnixMs
        scheduleSinceUnixMs = spec.scheduleSinceUnixMs
    }

    /// Finished runs kept per class (`history`; 0 means `JobSync.defaultHistoryLimit`):
    /// succeeded runs, and failed ones (every other end).
    var keepSucceeded: Int { historySucceeded > 0 ? Int(historySucceeded) : JobSync.defaultHistoryLimit }
    var keepFailed: Int { historyFailed > 0 ? Int(historyFailed) : JobSync.defaultHistoryLimit }
}
