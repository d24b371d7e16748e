import Metrics

/// The scheduler's swift-metrics instruments (Prometheus names, prefix `etcron_`).
struct SchedulerMetrics: Sendable {
    let queueDepth = Gauge(label: "etcron_work_queue_depth")
    let queueLatency = Timer(label: "etcron_work_queue_latency_seconds")
    let decisionLag = Timer(label: "etcron_decision_lag_seconds")
    let syncErrors = Counter(label: "etcron_sync_errors_total")

    /// A stored record that cannot be used (`record`: spec, quota), labelled as the job
    /// store labels the same counter.
    func corruptRecord(_ record: String) {
        Counter(label: "etcron_corrupt_records_total", dimensions: [("record", record)]).increment()
    }

    func decision(_ kind: String, reason: String, count: Int64) {
        Counter(label: "etcron_scheduling_decisions_total", dimensions: [("decision", kind), ("reason", reason)])
            .increment(by: Int64(max(1, count)))
    }

    /// Jobs whose old decisions were deleted, and deleted jobs whose records were, in one
    /// garbage-collection pass.
    func historyCollected(trimmed: Int, purged: Int) {
        Counter(label: "etcron_history_gc_passes_total").increment()
        Counter(label: "etcron_history_gc_jobs_total", dimensions: [("action", "trim")]).increment(by: trimmed)
        Counter(label: "etcron_history_gc_jobs_total", dimensions: [("action", "purge")]).increment(by: purged)
    }

    func jobs(tenant: String, count: Int) {
        Gauge(label: "etcron_jobs", dimensions: [("tenant", tenant)]).record(count)
    }
}
