import EtcronCore
import Foundation
import Metrics
import Synchronization

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
    /// The instruments made so far, by name and labels: a herd records five per run, and
    /// making one again costs a lookup in the factory's registry under its lock.
    private let made = Made()

    private final class Made: Sendable {
        struct Key: Hashable {
            var label: String
            var tenant: String
            var result: String = ""
        }

        let counters = Mutex<[Key: Counter]>([:])
        let timers = Mutex<[Key: Metrics.Timer]>([:])
    }

    /// Instruments from `factory`, or from the bootstrapped `MetricsSystem` when nil.
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    private var resolvedFactory: any MetricsFactory { factory ?? MetricsSystem.factory }

    func runStarted(tenant: String) {
        counter("etcron_runs_started_total", tenant: tenant).increment()
    }

    func attemptMade(tenant: String) {
        counter("etcron_run_attempts_total", tenant: tenant).increment()
    }

    func runFinished(tenant: String, result: RunResult, duration: Duration?) {
        counter("etcron_runs_finished_total", tenant: tenant, result: result.rawValue).increment()
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
        let key = Made.Key(label: label, tenant: tenant)
        if let timer = made.timers.withLock({ $0[key] }) { return timer }
        let timer = Metrics.Timer(label: label, dimensions: [("tenant", tenant)], preferredDisplayUnit: .seconds, factory: resolvedFactory)
        made.timers.withLock { $0[key] = timer }
        return timer
    }

    private func counter(_ label: String, tenant: String, result: String? = nil) -> Counter {
        let key = Made.Key(label: label, tenant: tenant, result: result ?? "")
        if let counter = made.counters.withLock({ $0[key] }) { return counter }
        var dimensions = [("tenant", tenant)]
        if let result { dimensions.append(("result", result)) }
        let counter = Counter(label: label, dimensions: dimensions, factory: resolvedFactory)
        made.counters.withLock { $0[key] = counter }
        return counter
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
