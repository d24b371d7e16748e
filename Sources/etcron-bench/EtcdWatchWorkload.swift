import EtcdClient
import Foundation

/// Watch delivery: a watcher on a prefix while a writer puts `count` keys under it in
/// transactions; the figure is events received per second, from the first write until
/// the watcher has all of them.
struct EtcdWatchWorkload: Sendable {
    let client: EtcdClient
    let value: Data
    let figures: EtcdFigures

    func run(count: Int, txnSize: Int, txnWidth: Int, limit: Duration) async throws {
        figures.progress("watching \(count) puts written in Txns of \(txnSize)")
        let prefix = "bench/watch/"
        // The watch starts at the revision after this marker (outside the prefix), so it
        // sees every write however late its stream is set up; that set-up is timed too.
        let marker = try await client.put("bench-marker/watch", value: "")
        let options = WatchOptions(startRevision: marker.header.revision + 1)
        let batches = EtcdPutWorkloads.transactions(prefix: prefix, count: count, size: txnSize, value: value)
        let client = self.client
        let start = ContinuousClock.now
        let watcher = Task { () throws -> (received: Int, last: ContinuousClock.Instant) in
            var received = 0
            for try await response in client.watch(.prefix(prefix), options: options) {
                received += response.events.count
                if received >= count { return (received, ContinuousClock.now) }
            }
            throw EtcdError(.unavailable, "the watch ended after \(received) of \(count) events")
        }
        // A watch that stalls must not hang the benchmark.
        let guardTask = Task {
            try await Task.sleep(for: limit)
            watcher.cancel()
        }
        defer { guardTask.cancel() }
        do {
            try await inFlight(batches, width: txnWidth) { txn in
                _ = try await client.txn(txn)
            }
        } catch {
            watcher.cancel()
            throw error
        }
        let (received, last) = try await watcher.value
        figures.rate("etcd.watch.events", received, in: last - start, "events/s")
    }
}
