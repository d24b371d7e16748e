import Foundation
import Logging
import Metrics
import Synchronization

/// Per-job metric series behind a cardinality guard. A label per job would make one
/// series per job, and a platform may have 100,000 jobs; so the first `limit` jobs this
/// process reports on get a `job` label of their own (first come, first served, for the
/// process's lifetime) and every other job is counted under `job="_other"`.
/// `etcron_job_metrics_overflow_total` counts observations that fell into `_other`, and a
/// warning is logged the first time it happens. A limit of 0 turns per-job series off.
/// The leader frees a deleted job's slot (`forget`); another replica's executor keeps the
/// series of runs it finished until it restarts.
///
/// - `etcron_job_decisions_total{tenant,job,decision,reason}`: the leader's decisions.
/// - `etcron_job_runs_finished_total{tenant,job,result}`: runs this executor finished.
/// - `etcron_job_last_success_timestamp_seconds{tenant,job}`: when this executor last
///   finished a run of the job successfully (the gauge to alert on when a job stops
///   succeeding).
public final class JobMetrics: Sendable {
    /// The `job` label of every job beyond the limit.
    public static let overflowLabel = "_other"

    /// Jobs that get a series of their own.
    public let limit: Int
    private let admitted = Mutex<Set<JobID>>([])
    private let warned = Atomic<Bool>(false)
    private let factory: (any MetricsFactory)?
    private let overflow: Counter
    private let logger: Logger

    /// Per-job metrics for at most `limit` jobs, through `factory` (nil: the `MetricsSystem`,
    /// which must be bootstrapped first).
    public init(limit: Int, factory: (any MetricsFactory)? = nil, logger: Logger = Logger(label: "etcron.metrics")) {
        self.limit = max(0, limit)
        self.factory = factory
        overflow = Counter(label: "etcron_job_metrics_overflow_total", factory: factory ?? MetricsSystem.factory)
        self.logger = logger
    }

    private var resolvedFactory: any MetricsFactory { factory ?? MetricsSystem.factory }

    /// The series made so far, keyed by label then dimension values (tenant and job first):
    /// at most `limit + 1` jobs' worth, so keeping them costs little, while making one per
    /// observation asks the backend's registry under its lock every time (thousands of
    /// times at the top of the hour). Kept also to remove a deleted job's series.
    private struct Series {
        var counters: [[String]: Counter] = [:]
        var gauges: [[String]: Gauge] = [:]
        /// The decision counters of jobs with a series of their own, by job: found with
        /// one lookup per decision (the leader counts thousands at the top of the hour).
        var decisions: [DecisionKey: Counter] = [:]
    }

    private struct DecisionKey: Hashable {
        var job: JobID
        var decision: String
        var reason: String
    }

    private let series = Mutex(Series())

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        cached(label, dimensions, \.counters) { Counter(label: $0, dimensions: $1, factory: resolvedFactory) }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> Gauge {
        cached(label, dimensions, \.gauges) { Gauge(label: $0, dimensions: $1, factory: resolvedFactory) }
    }

    /// The series `label` with `dimensions` from `path`, made on first use.
    private func cached<Metric: Sendable>(
        _ label: String, _ dimensions: [(String, String)], _ path: any WritableKeyPath<Series, [[String]: Metric]> & Sendable,
        make: (String, [(String, String)]) -> Metric
    ) -> Metric {
        let key = [label] + dimensions.map(\.1)
        return series.withLock { series in
            if let metric = series[keyPath: path][key] { return metric }
            let metric = make(label, dimensions)
            series[keyPath: path][key] = metric
            return metric
        }
    }

    /// Frees the slot of `job`, which was deleted: its own series leave the exposition and
    /// the next job reported on may have the slot. (Its observations under `_other` stay
    /// counted there.)
    public func forget(_ job: JobID) {
        guard admitted.withLock({ $0.remove(job) }) != nil else { return }
        let (counters, gauges) = series.withLock { series -> ([Counter], [Gauge]) in
            func owned(_ key: [String]) -> Bool { key.count > 2 && key[1] == job.tenant && key[2] == job.name }
            let counters = series.counters.filter { owned($0.key) }
            let gauges = series.gauges.filter { owned($0.key) }
            series.counters = series.counters.filter { !owned($0.key) }
            series.gauges = series.gauges.filter { !owned($0.key) }
            series.decisions = series.decisions.filter { $0.key.job != job }
            return (Array(counters.values), Array(gauges.values))
        }
        counters.forEach { $0.destroy() }
        gauges.forEach { $0.destroy() }
    }

    /// The `job` label for `job`; nil when per-job series are off.
    func label(_ job: JobID) -> String? {
        guard limit > 0 else { return nil }
        let (own, count) = admitted.withLock { set -> (Bool, Int) in
            if set.contains(job) { return (true, set.count) }
            guard set.count < limit else { return (false, set.count) }
            set.insert(job)
            return (true, set.count)
        }
        if own { return job.name }
        overflow.increment()
        if !warned.exchange(true, ordering: .relaxed) {
            logger.warning("per-job metric series are at their limit; further jobs are counted under job=\"\(Self.overflowLabel)\"", metadata: [
                "limit": "\(limit)", "jobs": "\(count)", "first-overflowing-job": "\(job)",
            ])
        }
        return Self.overflowLabel
    }

    /// Counts the leader's decisions of `job` (`count` times for a skip covering a range).
    public func decided(_ job: JobID, decision: String, reason: String, count: Int64) {
        let key = DecisionKey(job: job, decision: decision, reason: reason)
        if let known = series.withLock({ $0.decisions[key] }) {
            known.increment(by: Int64(max(1, count)))
            return
        }
        guard let name = label(job) else { return }
        // A job beyond the limit shares its tenant's `_other` series, kept under that name.
        let overflowing = name == Self.overflowLabel
        let seriesKey = overflowing ? DecisionKey(job: JobID(tenant: job.tenant, name: name), decision: decision, reason: reason) : key
        let counter = series.withLock { $0.decisions[seriesKey] }
            ?? counter("etcron_job_decisions_total", [("tenant", job.tenant), ("job", name), ("decision", decision), ("reason", reason)])
        // Kept only while the job holds its slot: `forget` frees the slot before it clears
        // the job's series, so a counter kept here either is cleared or never kept.
        series.withLock { series in
            if overflowing || admitted.withLock({ $0.contains(job) }) { series.decisions[seriesKey] = counter }
        }
        counter.increment(by: Int64(max(1, count)))
    }

    /// Counts a run of `job` this executor finished with `result` at `finishedAt`.
    public func runFinished(_ job: JobID, result: RunResult, at finishedAt: Date) {
        guard let name = label(job) else { return }
        counter("etcron_job_runs_finished_total", [("tenant", job.tenant), ("job", name), ("result", result.rawValue)]).increment()
        // `_other` mixes jobs: a last-success time would say nothing about any of them.
        guard result == .succeeded, name != Self.overflowLabel else { return }
        gauge("etcron_job_last_success_timestamp_seconds", [("tenant", job.tenant), ("job", name)]).record(finishedAt.timeIntervalSince1970)
    }
}
