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
        let counters = Instruments<Counter>()
        let timers = Instruments<Metrics.Timer>()
    }

    /// Instruments of one kind by name and labels, each made once.
    private final class Instruments<Instrument: Sendable>: Sendable {
        struct Key: Hashable {
            var label: String
            var tenant: String
            var result: String = ""
        }

        private let made = Mutex<[Key: Instrument]>([:])

        func get(_ key: Key, _ make: () -> Instrument) -> Instrument {
            if let instrument = made.withLock({ $0[key] }) { return instrument }
            let instrument = make()
            made.withLock { $0[key] = instrument }
            return instrument
        }
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
        made.timers.get(.init(label: label, tenant: tenant)) {
            Metrics.Timer(label: label, dimensions: [("tenant", tenant)], preferredDisplayUnit: .seconds, factory: resolvedFactory)
        }
    }

    private func counter(_ label: String, tenant: String, result: String? = nil) -> Counter {
        made.counters.get(.init(label: label, tenant: tenant, result: result ?? "")) {
            Counter(label: label, dimensions: [("tenant", tenant)] + (result.map { [("result", $0)] } ?? []), factory: resolvedFactory)
        }
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
