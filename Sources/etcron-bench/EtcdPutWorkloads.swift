import EtcdClient
import Foundation

/// The write workloads of `etcron-bench etcd`, all through the public `EtcdClient` API
/// against one client. Keys are built before the clock starts, so the figures measure
/// the client and etcd, not string formatting.
struct EtcdPutWorkloads: Sendable {
    let client: EtcdClient
    let value: Data
    let figures: EtcdFigures

    /// `count` keys `prefix0`, `prefix1`, ...
    static func keys(_ prefix: String, _ count: Int) -> [String] {
        (0..<count).map { "\(prefix)\($0)" }
    }

    /// Connects and warms the client up outside every timing.
    func warmUp() async throws {
        let client = self.client, value = self.value
        try await inFlight(Self.keys("bench/warmup/", 2_000), width: 64) { key in
            _ = try await client.put(key, value: value)
        }
    }

    /// One put at a time: throughput and the p50/p99 latency of single calls.
    func sequential(count: Int) async throws {
        figures.progress("\(count) sequential puts")
        var latencies: [Duration] = []
        latencies.reserveCapacity(count)
        let keys = Self.keys("bench/sequential/", count)
        let elapsed = try await timed {
            for key in keys {
                let start = ContinuousClock.now
                try await client.put(key, value: value)
                latencies.append(ContinuousClock.now - start)
            }
        }
        latencies.sort()
        figures.rate("etcd.put.sequential", count, in: elapsed, "puts/s")
        figures.milliseconds("etcd.put.sequential.p50", latencies[latencies.count / 2])
        figures.milliseconds("etcd.put.sequential.p99", latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    /// `count` puts with `width` kept in flight: prints puts per second and the client's
    /// CPU time per put; returns both.
    func concurrent(count: Int, width: Int, name: String, prefix: String) async throws -> (rate: Int, cpu: Duration) {
        figures.progress("\(count) puts, \(width) in flight")
        let client = self.client, value = self.value
        let keys = Self.keys(prefix, count)
        let cpuBefore = processCPUTime()
        let elapsed = try await timed {
            try await inFlight(keys, width: width) { key in
                _ = try await client.put(key, value: value)
            }
        }
        let cpu = processCPUTime() - cpuBefore
        figures.rate(name, count, in: elapsed, "puts/s")
        figures.cpuPerOperation("\(name).client_cpu", cpu, operations: count, "us/put")
        return (EtcdFigures.perSecond(count, elapsed), cpu / count)
    }

    /// `count` puts in transactions of `size`, `width` transactions in flight.
    func transactions(count: Int, size: Int, width: Int) async throws {
        figures.progress("\(count) puts in Txns of \(size), \(width) Txn(s) in flight")
        let batches = Self.transactions(prefix: "bench/txn/", count: count, size: size, value: value)
        let client = self.client
        let elapsed = try await timed {
            try await inFlight(batches, width: width) { txn in
                _ = try await client.txn(txn)
            }
        }
        figures.rate("etcd.put.txn\(size)", batches.map(\.success.count).reduce(0, +), in: elapsed, "puts/s")
    }

    /// Transactions of `size` puts (the last one may be smaller) writing `count` keys.
    static func transactions(prefix: String, count: Int, size: Int, value: Data) -> [Txn] {
        stride(from: 0, to: count, by: max(size, 1)).map { first in
            Txn(success: (first..<min(first + size, count)).map { .put("\(prefix)\($0)", value) })
        }
    }

    /// The client's resident memory before and after `calls` puts (64 in flight, over a
    /// fixed set of 10,000 keys); growth here would be a per-call leak.
    func residentMemory(calls: Int) async throws {
        guard let before = residentMebibytes() else {
            figures.progress("no /proc/self/status: RSS not measured")
            return
        }
        figures.progress("\(calls) puts for the RSS figure")
        let client = self.client, value = self.value
        let keys = (0..<calls).map { "bench/rss/\($0 % 10_000)" }
        try await inFlight(keys, width: 64) { key in
            _ = try await client.put(key, value: value)
        }
        let after = residentMebibytes() ?? before
        figures.figure("etcd.client.rss.before", String(format: "%.1f", before), "MiB")
        figures.figure("etcd.client.rss.after_\(calls / 1000)k_calls", String(format: "%.1f", after), "MiB")
    }
}
