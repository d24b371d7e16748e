@testable import EtcronCore
import Foundation
import MetricsTestKit
import Testing

/// Per-job metric series and their cardinality guard.
@Suite("per-job metrics")
struct JobMetricsTests {
    @Test("the first jobs up to the limit get their own series; the rest share job=\"_other\", which is counted")
    func guardLimits() throws {
        let metrics = TestMetrics()
        let jobs = JobMetrics(limit: 2, factory: metrics)
        let names = ["a", "b", "c", "d"].map { JobID(tenant: "t", name: $0) }
        for job in names + names { jobs.decided(job, decision: "invoke", reason: "", count: 1) }
        func decisions(_ job: String) throws -> [Int64] {
            try metrics.expectCounter("etcron_job_decisions_total", [("tenant", "t"), ("job", job), ("decision", "invoke"), ("reason", "")]).values
        }
        #expect(try decisions("a") == [1, 1])
        #expect(try decisions("b") == [1, 1])
        #expect(try decisions("_other") == [1, 1, 1, 1])
        #expect(try metrics.expectCounter("etcron_job_metrics_overflow_total").totalValue == 4)
        #expect(metrics.counters.allSatisfy { counter in !counter.dimensions.contains { $0 == ("job", "c") } })
    }

    @Test("a deleted job's series are removed and its slot goes to the next job")
    func forget() throws {
        let metrics = TestMetrics()
        let jobs = JobMetrics(limit: 1, factory: metrics)
        let (gone, next) = (JobID(tenant: "t", name: "gone"), JobID(tenant: "t", name: "next"))
        jobs.decided(gone, decision: "invoke", reason: "", count: 1)
        jobs.runFinished(gone, result: .succeeded, at: Date(timeIntervalSince1970: 100))
        jobs.decided(next, decision: "invoke", reason: "", count: 1)
        #expect(try metrics.expectCounter("etcron_job_decisions_total", [("tenant", "t"), ("job", "_other"), ("decision", "invoke"), ("reason", "")]).totalValue == 1)
        jobs.forget(gone)
        jobs.forget(JobID(tenant: "t", name: "never-seen"))
        #expect(metrics.counters.allSatisfy { counter in !counter.dimensions.contains { $0 == ("job", "gone") } })
        #expect(metrics.recorders.allSatisfy { recorder in !recorder.dimensions.contains { $0 == ("job", "gone") } })
        jobs.decided(next, decision: "invoke", reason: "", count: 1)
        #expect(try metrics.expectCounter("etcron_job_decisions_total", [("tenant", "t"), ("job", "next"), ("decision", "invoke"), ("reason", "")]).totalValue == 1)
    }

    @Test("a job deleted and created again under its name counts on a new series, not the removed one")
    func recreated() throws {
        let metrics = TestMetrics()
        let jobs = JobMetrics(limit: 1, factory: metrics)
        let job = JobID(tenant: "t", name: "again")
        jobs.decided(job, decision: "invoke", reason: "", count: 1)
        jobs.decided(job, decision: "invoke", reason: "", count: 1)
        jobs.forget(job)
        #expect(metrics.counters.allSatisfy { counter in !counter.dimensions.contains { $0 == ("job", "again") } })
        jobs.decided(job, decision: "invoke", reason: "", count: 1)
        let series = metrics.counters.filter { $0.label == "etcron_job_decisions_total" && $0.dimensions.contains { $0 == ("job", "again") } }
        #expect(series.count == 1)
        #expect(series.first?.totalValue == 1)
    }

    @Test("a skip covering a range counts each time; runs finished count per result; successes set the last-success gauge")
    func runsAndSkips() throws {
        let metrics = TestMetrics()
        let jobs = JobMetrics(limit: 10, factory: metrics)
        let job = JobID(tenant: "t", name: "nightly")
        jobs.decided(job, decision: "skip", reason: "missedDeadline", count: 5)
        jobs.runFinished(job, result: .failed, at: Date(timeIntervalSince1970: 50))
        jobs.runFinished(job, result: .succeeded, at: Date(timeIntervalSince1970: 100))
        #expect(try metrics.expectCounter("etcron_job_decisions_total", [("tenant", "t"), ("job", "nightly"), ("decision", "skip"), ("reason", "missedDeadline")]).totalValue == 5)
        #expect(try metrics.expectCounter("etcron_job_runs_finished_total", [("tenant", "t"), ("job", "nightly"), ("result", "failed")]).totalValue == 1)
        #expect(try metrics.expectGauge("etcron_job_last_success_timestamp_seconds", [("tenant", "t"), ("job", "nightly")]).lastValue == 100)
    }

    @Test("a limit of 0 makes no per-job series at all")
    func off() {
        let metrics = TestMetrics()
        let jobs = JobMetrics(limit: 0, factory: metrics)
        jobs.decided(JobID(tenant: "t", name: "a"), decision: "invoke", reason: "", count: 1)
        jobs.runFinished(JobID(tenant: "t", name: "a"), result: .succeeded, at: Date())
        #expect(metrics.counters.allSatisfy { $0.label == "etcron_job_metrics_overflow_total" && $0.values.isEmpty })
        #expect(metrics.recorders.isEmpty)
    }
}
