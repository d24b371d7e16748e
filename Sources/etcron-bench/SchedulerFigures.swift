import Foundation

/// What `etcron-bench scheduler` measured, printed as `name: value unit` lines.
struct SchedulerFigures {
    var jobs: Int
    var due: Int
    var result: SchedulerDecisionReader.Result
    /// Raw puts per second, Txns of 128 one at a time (the DESIGN's batched raw-put loop).
    var loop: Double
    /// Raw puts per second, Txns of 128, 4 in flight (as the decision batcher sends them).
    var ceiling: Double
    var ingest: Duration
    var loadCPU: Duration
    var idleCPU: Duration
    var idleSeconds: Int
    var burstCPU: Duration
    var etcdCPU: Duration
    var emptyRSS: Int
    var ingestRSS: Int
    var loadedRSS: Int
    var burstRSS: Int
    var takeover: Duration
    var takeoverCPU: Duration

    private func mebibytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    func print(to figures: EtcdFigures) {
        let lags = result.lagsMs.sorted()
        func percentile(_ p: Double) -> Int64 { lags.isEmpty ? -1 : lags[min(lags.count - 1, Int(Double(lags.count) * p))] }
        figures.figure("scheduler.jobs", "\(jobs)", "jobs")
        figures.figure("scheduler.due", "\(due)", "jobs")
        figures.figure("scheduler.decided", "\(lags.count)", "decisions")
        figures.figure("scheduler.decided_within_1s", "\(lags.filter { $0 < 1000 }.count)", "decisions")
        figures.figure("scheduler.decision_lag.first", "\(lags.first ?? -1)", "ms")
        figures.figure("scheduler.decision_lag.p50", "\(percentile(0.50))", "ms")
        figures.figure("scheduler.decision_lag.p99", "\(percentile(0.99))", "ms")
        figures.figure("scheduler.decision_lag.max", "\(lags.last ?? -1)", "ms")
        let first = max(lags.first ?? 0, 1), last = max(lags.last ?? 0, first + 1)
        // From the first decision to the last: the rate once the burst is under way.
        let rate = Double(max(lags.count - 1, 1)) / (Double(last - first) / 1000)
        figures.figure("scheduler.decisions_per_second", String(format: "%.0f", rate), "decisions/s")
        let writesPerDecision = Double(result.writes) / Double(max(lags.count, 1))
        figures.figure("scheduler.raw_put_loop", String(format: "%.0f", loop), "puts/s")
        figures.ratio("scheduler.decisions_vs_raw_put_loop", rate / loop)
        figures.figure("scheduler.raw_put_ceiling", String(format: "%.0f", ceiling), "puts/s")
        figures.ratio("scheduler.decisions_vs_raw_put_ceiling", rate / ceiling)
        figures.ratio("scheduler.decision_writes_vs_raw_put_ceiling", rate * writesPerDecision / ceiling)
        figures.figure("scheduler.writes_per_decision", String(format: "%.2f", Double(result.writes) / Double(max(lags.count, 1))), "writes")
        figures.figure("scheduler.transactions", "\(result.transactions)", "txns")
        figures.figure("scheduler.decisions_per_transaction", String(format: "%.1f", Double(lags.count) / Double(max(result.transactions, 1))), "decisions")
        figures.figure("scheduler.invokes", "\(result.invokes)", "decisions")
        figures.figure("scheduler.stray_decisions", "\(result.strays)", "decisions")
        figures.figure("scheduler.leader.cpu_burst", String(format: "%.2f", burstCPU.seconds), "s")
        figures.figure("scheduler.etcd.cpu_burst", String(format: "%.2f", etcdCPU.seconds), "s")
        figures.figure("scheduler.leader.cpu_watch_ingest", String(format: "%.2f", loadCPU.seconds), "s")
        figures.figure("scheduler.leader.watch_ingest_settle", String(format: "%.2f", ingest.seconds), "s")
        figures.figure("scheduler.leader.takeover_load", String(format: "%.2f", takeover.seconds), "s")
        figures.figure("scheduler.leader.takeover_cpu", String(format: "%.2f", takeoverCPU.seconds), "s")
        figures.figure("scheduler.leader.idle_cpu_per_minute", String(format: "%.3f", idleCPU.seconds * 60 / Double(idleSeconds)), "s")
        figures.figure("scheduler.leader.rss_empty", mebibytes(emptyRSS), "MiB")
        figures.figure("scheduler.leader.rss_after_watch_ingest", mebibytes(ingestRSS), "MiB")
        figures.figure("scheduler.leader.rss_after_takeover", mebibytes(loadedRSS), "MiB")
        figures.figure("scheduler.leader.rss_after_burst", mebibytes(burstRSS), "MiB")
        figures.figure("scheduler.leader.rss_per_job", "\((loadedRSS - emptyRSS) / max(jobs, 1))", "bytes")
    }
}
