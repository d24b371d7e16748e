import EtcdClient
import Foundation

/// The baseline of `etcron-bench scheduler`: puts of decision-sized values in Txns of
/// 128, 4 Txns in flight (as the decision batcher sends them), against the same etcd.
struct SchedulerRawCeiling: Sendable {
    let client: EtcdClient

    /// Writes `puts` keys `rounds` times and returns the best rate, in puts per second
    /// (etcd's first writes to a fresh data directory are slower than its steady state).
    func measure(puts: Int, rounds: Int = 3, figures: EtcdFigures) async throws -> Double {
        figures.progress("baseline: \(rounds) x \(puts) raw puts in Txns of 128, 4 in flight")
        let value = Data(repeating: 0x61, count: 120)
        let batches = EtcdPutWorkloads.transactions(prefix: "bench/raw/", count: puts, size: 128, value: value)
        let client = self.client
        var best = 0.0
        for _ in 0..<rounds {
            let elapsed = try await timed {
                try await inFlight(batches, width: 4) { txn in
                    _ = try await client.txn(txn)
                }
            }
            best = max(best, Double(puts) / max(elapsed.seconds, 1e-9))
        }
        _ = try await client.delete(.prefix("bench/raw/"))
        return best
    }
}
