import EtcdClient
import Foundation

/// The baselines of `etcron-bench scheduler`: puts of decision-sized values in Txns of
/// 128 against the same etcd, either one Txn at a time (the batched raw-put loop of
/// DESIGN.md) or `width` Txns in flight (more than the decision batcher's 2).
struct SchedulerRawCeiling: Sendable {
    let client: EtcdClient

    /// Each round's rate, in puts per second, and etcd's CPU per 10,000 puts in it.
    struct Rounds: Sendable {
        var rates: [Double] = []
        var etcdCPUPer10k: [Duration] = []
    }

    /// Writes `puts` keys `rounds` times, measuring each round's rate and `etcd`'s CPU.
    func measure(puts: Int, width: Int, rounds: Int = 5, etcd: ProcessProbe, figures: EtcdFigures) async throws -> Rounds {
        figures.progress("baseline: \(rounds) x \(puts) raw puts in Txns of 128, \(width) in flight")
        let value = Data(repeating: 0x61, count: 120)
        let batches = EtcdPutWorkloads.transactions(prefix: "bench/raw/", count: puts, size: 128, value: value)
        let client = self.client
        var measured = Rounds()
        for _ in 0..<rounds {
            let cpuBefore = etcd.cpuTime() ?? .zero
            let elapsed = try await timed {
                try await inFlight(batches, width: width) { txn in
                    _ = try await client.txn(txn)
                }
            }
            measured.rates.append(Double(puts) / max(elapsed.seconds, 1e-9))
            measured.etcdCPUPer10k.append(((etcd.cpuTime() ?? .zero) - cpuBefore) * 10_000 / puts)
        }
        _ = try await client.delete(.prefix("bench/raw/"))
        return measured
    }
}
