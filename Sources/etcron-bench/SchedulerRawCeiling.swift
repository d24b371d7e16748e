import EtcdClient
import Foundation

/// The baselines of `etcron-bench scheduler`: puts of decision-sized values in Txns of
/// 128 against the same etcd, either one Txn at a time (the batched raw-put loop of
/// DESIGN.md) or `width` Txns in flight (as many as the decision batcher keeps); or
/// shaped as the leader's decisions are (`shaped`): each key created only if absent, 127 to
/// a nested Txn fenced on one key's revision, 4 in flight, with a watch on the prefix
/// (the leader watches what it writes): etcd's own share of a decision, what a leader
/// costing nothing would reach.
struct SchedulerRawCeiling: Sendable {
    let client: EtcdClient

    /// Each round's rate, in puts per second, and etcd's CPU per 10,000 puts in it.
    struct Rounds: Sendable {
        var rates: [Double] = []
        var etcdCPUPer10k: [Duration] = []
    }

    /// Writes `puts` keys `rounds` times, measuring each round's rate and `etcd`'s CPU.
    func measure(
        puts: Int, width: Int, shaped: Bool = false, rounds: Int = 5, etcd: ProcessProbe, figures: EtcdFigures
    ) async throws -> Rounds {
        figures.progress("baseline: \(rounds) x \(puts) raw puts in Txns of 128, \(width) in flight\(shaped ? ", shaped as decisions" : "")")
        let value = Data(repeating: 0x61, count: 120)
        let client = self.client
        var measured = Rounds()
        let fence = try await client.put("bench/fence", value: Data()).header.revision
        for round in 0..<rounds {
            // Shaped rounds create new keys each round (a compare would fail on the last's).
            let prefix = shaped ? "bench/raw/\(round)/" : "bench/raw/"
            let batches = shaped
                ? Self.shaped(prefix: prefix, count: puts, value: value, fence: fence)
                : EtcdPutWorkloads.transactions(prefix: prefix, count: puts, size: 128, value: value)
            let watch = shaped ? Task { for try await _ in client.watch(.prefix(prefix)) {} } : nil
            defer { watch?.cancel() }
            let cpuBefore = etcd.cpuTime() ?? .zero
            let elapsed = try await timed {
                try await inFlight(batches, width: width) { txn in
                    let result = try await client.txn(txn)
                    guard result.succeeded, result.responses.first?.txn?.succeeded != false else {
                        throw FailoverError("a decision-shaped baseline Txn failed its compares")
                    }
                }
            }
            measured.rates.append(Double(puts) / max(elapsed.seconds, 1e-9))
            measured.etcdCPUPer10k.append(((etcd.cpuTime() ?? .zero) - cpuBefore) * 10_000 / puts)
        }
        _ = try await client.delete(.prefix("bench/raw/"))
        return measured
    }

    /// Txns as the decision batcher writes them: 127 puts, each created only if absent,
    /// nested in a Txn fenced on `fence`'s mod revision.
    private static func shaped(prefix: String, count: Int, value: Data, fence: Int64) -> [Txn] {
        stride(from: 0, to: count, by: 127).map { first in
            let keys = (first..<min(first + 127, count)).map { "\(prefix)\($0)" }
            let nested = Txn(compare: keys.map { .createRevision($0, .equal, 0) }, success: keys.map { .put($0, value) })
            return Txn(compare: [.modRevision("bench/fence", .equal, fence)], success: [.txn(nested)])
        }
    }
}
