import Foundation

/// A herd's arrivals split by the burst (due second) their run was scheduled for, read from
/// the run ID (`s-<scheduled time, 12 digits>-<hash>`), and each burst's start delays.
struct HerdBursts {
    /// One burst's start delays (arrival minus its due second, ascending) and arrival span.
    struct Burst {
        var dueUnix: Int64
        var delays: [Int64] = []
        var firstArrivalMs = Int64.max
        var lastArrivalMs = Int64.min

        var runsPerSecond: Int {
            guard !delays.isEmpty else { return 0 }
            return Int(Double(delays.count) / max(Double(lastArrivalMs - firstArrivalMs) / 1000, 0.001))
        }

        func quantile(_ q: Double) -> Int64 { HerdStages.quantile(delays, q) }
    }

    var bursts: [Burst]
    /// Arrivals whose run ID names no burst's due second.
    var unmatched = 0

    /// Splits the distinct runs of `arrivals` (a duplicate's first arrival counts) over
    /// `dueTimes`.
    init(arrivals: [HerdTarget.Arrival], dueTimes: [Int64]) {
        bursts = dueTimes.map { Burst(dueUnix: $0) }
        let index = Dictionary(uniqueKeysWithValues: dueTimes.enumerated().map { ($1, $0) })
        var first: [String: Int64] = [:]
        for arrival in arrivals { first[arrival.key] = min(first[arrival.key] ?? .max, arrival.arrivalMs) }
        for (key, arrivalMs) in first {
            guard let scheduled = Self.scheduledUnix(runID: key), let burst = index[scheduled] else {
                unmatched += 1
                continue
            }
            bursts[burst].delays.append(max(0, arrivalMs - scheduled * 1000))
            bursts[burst].firstArrivalMs = min(bursts[burst].firstArrivalMs, arrivalMs)
            bursts[burst].lastArrivalMs = max(bursts[burst].lastArrivalMs, arrivalMs)
        }
        for burst in bursts.indices { bursts[burst].delays.sort() }
    }

    /// The scheduled time a scheduled run's ID carries.
    static func scheduledUnix(runID: String) -> Int64? {
        guard runID.hasPrefix("s-") else { return nil }
        return Int64(runID.dropFirst(2).prefix { $0 != "-" })
    }

    /// The median over bursts of `value` (the lower middle of an even count).
    func median(_ value: (Burst) -> Int64) -> Int64 {
        let values = bursts.map(value).sorted()
        return values.isEmpty ? 0 : values[(values.count - 1) / 2]
    }

    /// Prints each burst's start delay p50, p99 and max (when there are several) and, as
    /// `herd_start_delay_*` and `herd_runs_started_per_second`, their medians over bursts.
    func report(to figures: EtcdFigures) {
        if bursts.count > 1 {
            for (number, burst) in bursts.enumerated() {
                figures.figure("herd_burst_\(number + 1)_start_delay_p50", String(burst.quantile(0.5)), "ms")
                figures.figure("herd_burst_\(number + 1)_start_delay_p99", String(burst.quantile(0.99)), "ms")
                figures.figure("herd_burst_\(number + 1)_start_delay_max", String(burst.delays.last ?? 0), "ms")
            }
        }
        figures.figure("herd_start_delay_p50", String(median { $0.quantile(0.5) }), "ms")
        figures.figure("herd_start_delay_p99", String(median { $0.quantile(0.99) }), "ms")
        figures.figure("herd_start_delay_max", String(median { $0.delays.last ?? 0 }), "ms")
        figures.figure("herd_runs_started_per_second", String(median { Int64($0.runsPerSecond) }), "runs/s")
        if unmatched > 0 { figures.figure("herd_runs_of_no_burst", String(unmatched), "runs") }
    }
}
