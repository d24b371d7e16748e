import EtcdClient
import Foundation

/// The baselines of `etcron-bench scheduler`: puts of decision-sized values in Txns of
/// 128 against the same etcd, either one Txn at a time (the batched raw-put loop of
/// DESIGN.md) or `width` Txns in flight (more than the decision batcher's 2).
struct SchedulerRawCeiling: Sendable {
    let client: EtcdClient

    /// Writes `puts` keys `rounds` times and returns each round's rate, in puts per second.
    func measure(puts: Int, width: Int, rounds: Int = 5, figures: EtcdFigures) async throws -> [Double] {
        figures.progress("baseline: \(rounds) x \(puts) raw puts in Txns of 128, \(width) in flight")
        let value = Data(repeating: 0x61, count: 120)
        let batches = EtcdPutWorkloads.transactions(prefix: "bench/raw/", count: puts, size: 128, value: value)
        let client = self.client
        var rates: [Double] = []
        for _ in 0..<rounds {
            let elapsed = try await timed {
                try await inFlight(batches, width: width) { txn in
                    _ = try await client.txn(txn)
                }
            }
            rates.append(Double(puts) / max(elapsed.seconds, 1e-9))
        }
        _ = try await client.delete(.prefix("bench/raw/"))
        return rates
    }
}
