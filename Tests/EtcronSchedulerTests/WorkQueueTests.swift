import EtcronCore
@testable import EtcronScheduler
import Testing

/// The leader's sharded work queue, without etcd: fairness over tenants, one worker per
/// job at a time, duplicates collapsing.
@Suite("Sharded work queue")
struct WorkQueueTests {
    @Test("a chunk is taken in the same tenant-fair order, and its jobs stay processing until each is done")
    func chunks() async throws {
        let queue = ShardedWorkQueue(workers: 1)
        for index in 0..<5 { queue.enqueue(JobID(tenant: "big", name: "job-\(index)")) }
        for index in 0..<2 { queue.enqueue(JobID(tenant: "small", name: "job-\(index)")) }
        let chunk = try #require(await queue.next(worker: 0, limit: 4))
        #expect(chunk.map { "\($0.job)" } == ["big/job-0", "small/job-0", "big/job-1", "small/job-1"])
        // Enqueued while its chunk is being synced: held back until it is done.
        queue.enqueue(JobID(tenant: "big", name: "job-0"))
        let rest = try #require(await queue.next(worker: 0, limit: 10))
        #expect(rest.map { "\($0.job)" } == ["big/job-2", "big/job-3", "big/job-4"])
        for item in chunk + rest { queue.done(item.job) }
        let again = try #require(await queue.next(worker: 0, limit: 10))
        #expect(again.map { "\($0.job)" } == ["big/job-0"])
        #expect(queue.depth == 0)
    }

    @Test("a key queued when idle is handed out after every other waiting key; queued normally meanwhile, it takes its normal turn once")
    func whenIdle() async throws {
        let queue = ShardedWorkQueue(workers: 1)
        let result = { (name: String) in JobID(tenant: "t", name: name) }
        queue.enqueue(result("r1"), whenIdle: true)
        queue.enqueue(result("r2"), whenIdle: true)
        queue.enqueue(result("r2"), whenIdle: true)
        for index in 0..<3 { queue.enqueue(JobID(tenant: "t", name: "due-\(index)")) }
        queue.enqueue(result("r2"))
        #expect(queue.depth == 5)
        let chunk = try #require(await queue.next(worker: 0, limit: 10))
        #expect(chunk.map(\.job.name) == ["due-0", "due-1", "due-2", "r2", "r1"])
        #expect(queue.depth == 0)
        // Processing: queued when idle, it is synced again once done (in the normal order).
        queue.enqueue(result("r1"), whenIdle: true)
        for item in chunk { queue.done(item.job) }
        let again = try #require(await queue.next(worker: 0, limit: 10))
        #expect(again.map(\.job.name) == ["r1"])
    }

    @Test("a tenant with 10 due jobs is served within its first turns, not after another tenant's 10,000")
    func tenantsAreServedRoundRobin() async {
        let queue = ShardedWorkQueue(workers: 1)
        for index in 0..<10_000 { queue.enqueue(JobID(tenant: "big", name: "job-\(index)")) }
        for index in 0..<10 { queue.enqueue(JobID(tenant: "small", name: "job-\(index)")) }
        var positions: [Int] = []
        for position in 0..<10_010 {
            guard let item = await queue.next(worker: 0) else { break }
            if item.job.tenant == "small" { positions.append(position) }
            queue.done(item.job)
        }
        // Alternating from the moment both wait: small's jobs come 2nd, 4th, ... 20th.
        #expect(positions == Array(stride(from: 1, through: 19, by: 2)))
        #expect(queue.depth == 0)
    }

    @Test("each tenant's keys keep their order; duplicates collapse while waiting")
    func fifoPerTenantAndCollapse() async {
        let queue = ShardedWorkQueue(workers: 1)
        let jobs = (0..<5).map { JobID(tenant: "t", name: "j\($0)") }
        for job in jobs + jobs { queue.enqueue(job) }
        #expect(queue.depth == 5)
        var taken: [JobID] = []
        for _ in 0..<5 {
            if let item = await queue.next(worker: 0) { taken.append(item.job) }
        }
        #expect(taken == jobs)
    }

    @Test("a job being processed is not handed out again; an enqueue meanwhile re-queues it once done")
    func processingJobWaitsForDone() async {
        let queue = ShardedWorkQueue(workers: 1)
        let job = JobID(tenant: "t", name: "j")
        queue.enqueue(job)
        let first = await queue.next(worker: 0)
        #expect(first?.job == job)
        queue.enqueue(job)
        queue.enqueue(job)
        #expect(queue.depth == 0, "not waiting while processing")
        queue.done(job)
        #expect(queue.depth == 1, "re-queued once")
        let second = await queue.next(worker: 0)
        #expect(second?.job == job)
        queue.done(job)
        #expect(queue.depth == 0)
    }

    @Test("a job always goes to the same shard; close wakes a waiting worker with nil")
    func shardsAndClose() async {
        let queue = ShardedWorkQueue(workers: 4)
        let job = JobID(tenant: "acme", name: "payroll")
        #expect(queue.shard(of: job) == queue.shard(of: JobID(tenant: "acme", name: "payroll")))
        let waiting = Task { await queue.next(worker: 0) }
        try? await Task.sleep(for: .milliseconds(50))
        queue.close()
        #expect(await waiting.value == nil)
        queue.enqueue(job)
        #expect(queue.depth == 0, "enqueues after close are dropped")
    }
}
