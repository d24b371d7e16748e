import EtcronCore
import EtcronProto
import Metrics
import Synchronization

/// The scheduler's swift-metrics instruments (Prometheus names, prefix `etcron_`).
final class SchedulerMetrics: Sendable {
    let queueDepth = Gauge(label: "etcron_work_queue_depth")
    let queueLatency = Timer(label: "etcron_work_queue_latency_seconds")
    let decisionLag = Timer(label: "etcron_decision_lag_seconds")
    let syncErrors = Counter(label: "etcron_sync_errors_total")
    /// The labels of a decision counter.
    private struct DecisionLabels: Hashable {
        var tenant: String
        var kind: String
        var reason: String
    }

    /// The decision counters made so far: made once, not per decision (making one asks the
    /// metrics backend's registry, under its lock).
    private let decisions = Mutex<[DecisionLabels: Counter]>([:])

    /// A stored record that cannot be used (`record`: spec, quota), labelled as the job
    /// store labels the same counter.
    func corruptRecord(_ record: String) {
        CorruptRecords.count(record)
    }

    /// `etcron_scheduling_decisions_total{tenant, decision, reason}`: by tenant, so a
    /// platform sees whose jobs are being skipped (tenants are few next to jobs; per-job
    /// series are `etcron_job_decisions_total`, behind their own limit).
    func decision(tenant: String, _ kind: String, reason: String, count: Int64) {
        let name = DecisionLabels(tenant: tenant, kind: kind, reason: reason)
        let counter = decisions.withLock { counters in
            if let counter = counters[name] { return counter }
            let counter = Counter(
                label: "etcron_scheduling_decisions_total", dimensions: [("tenant", tenant), ("decision", kind), ("reason", reason)])
            counters[name] = counter
            return counter
        }
        counter.increment(by: Int64(max(1, count)))
    }

    /// Jobs whose old decisions were deleted, and deleted jobs whose records were, in one
    /// garbage-collection pass.
    func historyCollected(trimmed: Int, purged: Int) {
        Counter(label: "etcron_history_gc_passes_total").increment()
        Counter(label: "etcron_history_gc_jobs_total", dimensions: [("action", "trim")]).increment(by: trimmed)
        Counter(label: "etcron_history_gc_jobs_total", dimensions: [("action", "purge")]).increment(by: purged)
    }

    /// A run the leader ended itself (its executor lost for good, never started within its
    /// deadline, stopped before it started): `etcron_runs_finished_total{tenant,result}`,
    /// the counter executors count the runs they finish in, so that every run is counted
    /// once, by whoever ended it.
    func runEnded(tenant: String, state: Etcron_V1_RunState) {
        let result: String
        switch state {
        case .executorLost: result = "executor_lost"
        case .failed: result = RunResult.failed.rawValue
        case .stopped: result = RunResult.stopped.rawValue
        case .timedOut: result = RunResult.timedOut.rawValue
        default: return
        }
        Counter(label: "etcron_runs_finished_total", dimensions: [("tenant", tenant), ("result", result)]).increment()
    }

    func jobs(tenant: String, count: Int) {
        Gauge(label: "etcron_jobs", dimensions: [("tenant", tenant)]).record(count)
    }
}
