import Foundation

/// The baseline loop of `etcron-bench api`: `concurrency` tasks each calling `operation`
/// back to back for `seconds`, recording every latency; the same shape of load wrk puts
/// on the API, but straight against etcd through etcron's client.
enum ClosedLoop {
    struct Result {
        var operations: Int
        var elapsed: Duration
        var p50: Duration
        var p99: Duration
        var requestsPerSecond: Double { Double(operations) / max(elapsed.seconds, 1e-9) }
    }

    static func run(concurrency: Int, seconds: Int, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Result {
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [Duration] = []
                    while ContinuousClock.now < end {
                        let began = ContinuousClock.now
                        try await operation()
                        mine.append(ContinuousClock.now - began)
                    }
                    return mine
                }
            }
            var all: [Duration] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let elapsed = ContinuousClock.now - start
        func percentile(_ p: Double) -> Duration {
            latencies.isEmpty ? .zero : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        return Result(operations: latencies.count, elapsed: elapsed, p50: percentile(0.5), p99: percentile(0.99))
    }
}
