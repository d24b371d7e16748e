import EtcronCore
import Foundation
import Metrics

/// The run instruments (Prometheus names, prefix `etcron_`), labelled by tenant only: a
/// label per job would make one series per job, and there may be 100,000 jobs.
///
/// - `etcron_runs_started_total{tenant}`: runs whose first attempt began.
/// - `etcron_runs_finished_total{tenant,result}`: one per run, whatever its attempts.
/// - `etcron_run_duration_seconds{tenant}`: first start to result, retries included.
/// - `etcron_run_attempts_total{tenant}`: attempts, retries included.
/// - `etcron_run_start_delay_seconds{tenant}`: scheduled time to first start, recorded by
///   the caller with `recordStartDelay`.
public struct RunMetrics: Sendable {
    private let factory: (any MetricsFactory)?

    /// Instruments from `factory`, or from the bootstrapped `MetricsSystem` when nil.
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    private var resolvedFactory: any MetricsFactory { factory ?? MetricsSystem.factory }

    func runStarted(tenant: String) {
        Counter(label: "etcron_runs_started_total", dimensions: [("tenant", tenant)], factory: resolvedFactory)
            .increment()
    }

    func attemptMade(tenant: String) {
        Counter(label: "etcron_run_attempts_total", dimensions: [("tenant", tenant)], factory: resolvedFactory)
            .increment()
    }

    func runFinished(tenant: String, result: RunResult, duration: Duration?) {
        Counter(
            label: "etcron_runs_finished_total",
            dimensions: [("tenant", tenant), ("result", result.rawValue)],
            factory: resolvedFactory
        ).increment()
        if let duration {
            timer("etcron_run_duration_seconds", tenant: tenant).recordNanoseconds(Self.nanoseconds(duration))
        }
    }

    /// Records the start delay of a run that first started at `startedAt` for the
    /// scheduled time `scheduledUnix` (negative delays, e.g. of manual runs, count as 0).
    public func recordStartDelay(tenant: String, scheduledUnix: Int64, startedAt: Date) {
        let seconds = startedAt.timeIntervalSince1970 - Double(scheduledUnix)
        recordStartDelay(tenant: tenant, delay: .nanoseconds(Int64((seconds * 1e9).rounded())))
    }

    /// Records a start delay (scheduled time to first start).
    public func recordStartDelay(tenant: String, delay: Duration) {
        timer("etcron_run_start_delay_seconds", tenant: tenant)
            .recordNanoseconds(Self.nanoseconds(max(delay, .zero)))
    }

    private func timer(_ label: String, tenant: String) -> Metrics.Timer {
        Metrics.Timer(label: label, dimensions: [("tenant", tenant)], preferredDisplayUnit: .seconds, factory: resolvedFactory)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }

    /// `etcron_executor_stop_read_failures_total`: a running run whose pointer the leader
    /// touched (a stop request) could not be read again, so a Replace stop may be missed.
    func stopReadFailed() {
        Counter(label: "etcron_executor_stop_read_failures_total", factory: resolvedFactory).increment()
    }
}
