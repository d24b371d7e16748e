import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf

/// Where a herd's start delay went, from the runs' own records: the leader's decision
/// (`created_at` minus the scheduled time), the executor's claim (`claimed_at` minus
/// `created_at`: the pointer's watch event, the batched read and claim), and the target's
/// start (`started_at` minus `claimed_at`); and how evenly the runs were spread over the
/// executors.
struct HerdStages {
    var decided: [Int64] = []
    var claimed: [Int64] = []
    var started: [Int64] = []
    var perExecutor: [String: Int] = [:]
    /// Start delays (scheduled time to the target's start, by the run's record) by executor.
    var startDelays: [String: [Int64]] = [:]

    /// Reads every run under `keys`' jobs.
    static func read(client: EtcdClient, keys: JobKeys) async throws -> HerdStages {
        var stages = HerdStages()
        try await client.rangePaged(.prefix(keys.jobs), pageSize: 5000) { kvs in
            for kv in kvs {
                guard case .run? = RecordKey(kv.keyString, keys: keys), let run = try? Etcron_V1_Run(serializedBytes: kv.value) else { continue }
                stages.decided.append(run.createdAtUnixMs - run.scheduledUnix * 1000)
                if run.claimedAtUnixMs > 0 { stages.claimed.append(run.claimedAtUnixMs - run.createdAtUnixMs) }
                if run.startedAtUnixMs > 0, run.claimedAtUnixMs > 0 { stages.started.append(run.startedAtUnixMs - run.claimedAtUnixMs) }
                stages.perExecutor[run.assignedTo, default: 0] += 1
                if run.startedAtUnixMs > 0 { stages.startDelays[run.assignedTo, default: []].append(run.startedAtUnixMs - run.scheduledUnix * 1000) }
            }
        }
        return stages
    }

    /// Prints each stage's p50 and p99, the fewest and most runs an executor got, and each
    /// executor's runs and p99 start delay (`leader`: the executor of the leader's replica).
    func report(to figures: EtcdFigures, leader: String? = nil) {
        for (name, values) in [("decided", decided), ("claimed", claimed), ("started", started)] {
            let sorted = values.sorted()
            figures.figure("herd_stage_\(name)_p50", String(Self.quantile(sorted, 0.5)), "ms")
            figures.figure("herd_stage_\(name)_p99", String(Self.quantile(sorted, 0.99)), "ms")
        }
        figures.figure("herd_runs_per_executor_min", String(perExecutor.values.min() ?? 0), "runs")
        figures.figure("herd_runs_per_executor_max", String(perExecutor.values.max() ?? 0), "runs")
        for (executor, delays) in startDelays.sorted(by: { $0.key < $1.key }) {
            let name = "herd_executor_\(executor.replacingOccurrences(of: "-", with: "_"))\(executor == leader ? "_leader" : "")"
            figures.figure(name + "_runs", String(delays.count), "runs")
            figures.figure(name + "_start_delay_p99", String(Self.quantile(delays.sorted(), 0.99)), "ms")
        }
    }

    /// The `q` quantile of ascending `sorted` (nearest rank); 0 for none.
    static func quantile(_ sorted: [Int64], _ q: Double) -> Int64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
