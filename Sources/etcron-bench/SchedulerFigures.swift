import Foundation

/// What `etcron-bench scheduler` measured, printed as `name: value unit` lines.
struct SchedulerFigures {
    var jobs: Int
    var due: Int
    /// The due seconds, one burst each.
    var seconds: [Int64]
    var result: SchedulerDecisionReader.Result
    /// Raw puts per second of each round, Txns of 128 one at a time (the DESIGN's batched
    /// raw-put loop), and etcd's CPU per 10,000 of them.
    var loop: SchedulerRawCeiling.Rounds
    /// The same, 4 Txns in flight (as many as the decision batcher keeps).
    var ceilingRounds: SchedulerRawCeiling.Rounds
    private var ceiling: [Double] { ceilingRounds.rates }
    /// The same shaped as decisions (created only if absent, fenced, nested, watched).
    var shaped: SchedulerRawCeiling.Rounds
    var ingest: Duration
    var loadCPU: Duration
    var idleCPU: Duration
    var idleSeconds: Int
    /// Leader and etcd CPU of each burst.
    var cpu: [Int64: (leader: Duration, etcd: Duration)]
    var emptyRSS: Int
    var ingestRSS: Int
    var loadedRSS: Int
    var burstRSS: Int
    var takeover: Duration
    var takeoverCPU: Duration

    private func mebibytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    /// One burst: its lags (sorted) and its rate from the first decision to the last.
    private struct Burst {
        var lags: [Int64]
        var rate: Double

        init(_ lags: [Int64]) {
            self.lags = lags.sorted()
            let first = max(self.lags.first ?? 0, 1), last = max(self.lags.last ?? 0, first + 1)
            rate = Double(max(self.lags.count - 1, 1)) / (Double(last - first) / 1000)
        }

        func percentile(_ p: Double) -> Int64 { lags.isEmpty ? -1 : lags[min(lags.count - 1, Int(Double(lags.count) * p))] }
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    func print(to figures: EtcdFigures) {
        let bursts = seconds.map { Burst(result.lagsMs[$0] ?? []) }
        figures.figure("scheduler.jobs", "\(jobs)", "jobs")
        figures.figure("scheduler.due", "\(due)", "jobs per burst")
        figures.figure("scheduler.bursts", "\(bursts.count)", "bursts")
        for (index, burst) in bursts.enumerated() {
            let name = "scheduler.burst\(index + 1)"
            let usage = cpu[seconds[index]]
            figures.figure("\(name).decided", "\(burst.lags.count)", "decisions")
            figures.figure("\(name).decision_lag.max", "\(burst.lags.last ?? -1)", "ms")
            figures.figure("\(name).decisions_per_second", String(format: "%.0f", burst.rate), "decisions/s")
            figures.figure("\(name).leader.cpu", String(format: "%.2f", usage?.leader.seconds ?? -1), "s")
            figures.figure("\(name).etcd.cpu", String(format: "%.2f", usage?.etcd.seconds ?? -1), "s")
        }
        // The headline burst is the median by rate; "decided within 1 s" is the worst.
        let median = bursts.sorted { $0.rate < $1.rate }[bursts.count / 2]
        figures.figure("scheduler.decided_within_1s_worst_burst", String(bursts.map { $0.lags.filter { $0 < 1000 }.count }.min() ?? 0), "decisions")
        figures.figure("scheduler.decision_lag.first", "\(median.lags.first ?? -1)", "ms")
        figures.figure("scheduler.decision_lag.p50", "\(median.percentile(0.50))", "ms")
        figures.figure("scheduler.decision_lag.p99", "\(median.percentile(0.99))", "ms")
        figures.figure("scheduler.decision_lag.max", "\(median.lags.last ?? -1)", "ms")
        figures.figure("scheduler.decision_lag.max_worst_burst", "\(bursts.compactMap(\.lags.last).max() ?? -1)", "ms")
        // From the first decision to the last: the rate once the burst is under way.
        let rate = median.rate
        figures.figure("scheduler.decisions_per_second", String(format: "%.0f", rate), "decisions/s (median burst)")
        let writesPerDecision = Double(result.writes) / Double(max(result.decisions, 1))
        let loopMedian = Self.median(loop.rates), ceilingMedian = Self.median(ceiling)
        figures.figure("scheduler.raw_put_loop", String(format: "%.0f", loopMedian), "puts/s (median of \(loop.rates.count) rounds)")
        figures.ratio("scheduler.decisions_vs_raw_put_loop", rate / loopMedian)
        figures.figure("scheduler.raw_put_ceiling", String(format: "%.0f", ceilingMedian), "puts/s (median of \(ceiling.count) rounds)")
        figures.ratio("scheduler.decisions_vs_raw_put_ceiling", rate / ceilingMedian)
        figures.figure("scheduler.raw_put_loop.etcd_cpu_per_10k", String(format: "%.2f", Self.median(loop.etcdCPUPer10k.map(\.seconds))), "s (median round)")
        let shapedMedian = Self.median(shaped.rates)
        figures.figure("scheduler.decision_shaped_puts", String(format: "%.0f", shapedMedian), "puts/s (median of \(shaped.rates.count) rounds)")
        figures.ratio("scheduler.decision_shaped_puts_vs_raw_put_loop", shapedMedian / loopMedian)
        figures.ratio("scheduler.decisions_vs_decision_shaped_puts", rate / shapedMedian)
        figures.figure("scheduler.decision_shaped_puts.etcd_cpu_per_10k", String(format: "%.2f", Self.median(shaped.etcdCPUPer10k.map(\.seconds))), "s (median round)")
        figures.figure("scheduler.raw_put_ceiling.etcd_cpu_per_10k", String(format: "%.2f", Self.median(ceilingRounds.etcdCPUPer10k.map(\.seconds))), "s (median round)")
        let best = bursts.map(\.rate).max() ?? 0, bestCeiling = max(loop.rates.max() ?? 0, ceiling.max() ?? 0)
        figures.figure("scheduler.decisions_per_second_best", String(format: "%.0f", best), "decisions/s (best burst)")
        figures.figure("scheduler.raw_put_best", String(format: "%.0f", bestCeiling), "puts/s (best round of either baseline)")
        figures.ratio("scheduler.best_decisions_vs_best_raw_put", best / bestCeiling)
        figures.ratio("scheduler.decision_writes_vs_raw_put_ceiling", rate * writesPerDecision / ceilingMedian)
        figures.figure("scheduler.writes_per_decision", String(format: "%.2f", writesPerDecision), "writes")
        figures.figure("scheduler.transactions", "\(result.transactions)", "txns")
        figures.figure("scheduler.decisions_per_transaction", String(format: "%.1f", Double(result.decisions) / Double(max(result.transactions, 1))), "decisions")
        figures.figure("scheduler.invokes", "\(result.invokes)", "decisions")
        figures.figure("scheduler.stray_decisions", "\(result.strays)", "decisions")
        let medianCPU = cpu[seconds[bursts.firstIndex { $0.rate == median.rate } ?? 0]]
        figures.figure("scheduler.leader.cpu_burst", String(format: "%.2f", medianCPU?.leader.seconds ?? -1), "s (median burst)")
        figures.figure("scheduler.etcd.cpu_burst", String(format: "%.2f", medianCPU?.etcd.seconds ?? -1), "s (median burst)")
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
