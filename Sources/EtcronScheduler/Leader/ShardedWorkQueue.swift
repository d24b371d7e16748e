import CronSchedule
import DequeModule
import EtcronCore
import Synchronization

/// Job keys sharded over N workers by a stable hash, with the guarantees of a controller
/// work queue:
/// - one job is only ever synced by one worker at a time: a key handed out stays
///   *processing* until `done`, and an enqueue meanwhile is remembered and re-queued then;
/// - duplicates collapse while a key waits;
/// - tenants are served fairly: each shard keeps one FIFO per tenant and hands keys out
///   round-robin over the tenants with waiting keys, so one tenant's 10,000 due jobs do
///   not delay another tenant's 10;
/// - what can wait does: a key queued `whenIdle` (a run's result, which only trims
///   history when nothing waits on it) is handed out only once no other key waits in its
///   shard, so the results of a herd's first runs do not hold up the herd's decisions.
///   Queued again normally meanwhile, it goes in the normal order.
final class ShardedWorkQueue: Sendable {
    /// A key handed to a worker, with how long it waited.
    struct Item: Sendable {
        var job: JobID
        var waited: Duration
    }

    private struct Shard {
        var byTenant: [String: Deque<(job: JobID, since: ContinuousClock.Instant)>] = [:]
        var rotation: Deque<String> = []
        var queued: Set<JobID> = []
        /// Keys waiting for the shard to be idle, in order; entries no longer in `idleQueued`
        /// (queued normally since) are skipped.
        var whenIdle: Deque<(job: JobID, since: ContinuousClock.Instant)> = []
        var idleQueued: Set<JobID> = []
        var processing: Set<JobID> = []
        var redo: Set<JobID> = []
        var count = 0
        var waiter: CheckedContinuation<[Item]?, Never>?
        var closed = false

        /// Adds `job` unless it waits already; a processing job is re-queued on `done`.
        mutating func add(_ job: JobID, now: ContinuousClock.Instant, whenIdle idle: Bool = false) -> Bool {
            guard !closed else { return false }
            if processing.contains(job) {
                redo.insert(job)
                return false
            }
            if idle {
                guard !queued.contains(job), idleQueued.insert(job).inserted else { return false }
                whenIdle.append((job, now))
                count += 1
                return true
            }
            guard queued.insert(job).inserted else { return false }
            if idleQueued.remove(job) != nil { count -= 1 }
            if byTenant[job.tenant, default: []].isEmpty { rotation.append(job.tenant) }
            byTenant[job.tenant, default: []].append((job, now))
            count += 1
            return true
        }

        /// The next key, round-robin over tenants, then those waiting for an idle shard;
        /// marks it processing.
        mutating func take(now: ContinuousClock.Instant) -> Item? {
            guard let tenant = rotation.popFirst(), var jobs = byTenant.removeValue(forKey: tenant),
                let (job, since) = jobs.popFirst()
            else { return takeWhenIdle(now: now) }
            if !jobs.isEmpty {
                byTenant[tenant] = jobs
                rotation.append(tenant)
            }
            queued.remove(job)
            processing.insert(job)
            count -= 1
            return Item(job: job, waited: now - since)
        }

        private mutating func takeWhenIdle(now: ContinuousClock.Instant) -> Item? {
            while let (job, since) = whenIdle.popFirst() {
                guard idleQueued.remove(job) != nil else { continue }
                processing.insert(job)
                count -= 1
                return Item(job: job, waited: now - since)
            }
            return nil
        }
    }

    /// Mutex is not copyable, so each shard's lives in a box of its own.
    private final class Box: Sendable {
        let mutex = Mutex(Shard())
    }

    private let shards: [Box]

    init(workers: Int) {
        shards = (0..<max(1, workers)).map { _ in Box() }
    }

    var workerCount: Int { shards.count }

    /// The worker that owns `job`.
    func shard(of job: JobID) -> Int {
        // Stable across processes (Swift's Hasher is seeded per process), so a job's
        // shard is the same whichever replica leads.
        var hash = StableHash()
        hash.feed(job.tenant)
        hash.feed(byte: UInt8(ascii: "/"))
        hash.feed(job.name)
        return Int(hash.value % UInt64(shards.count))
    }

    /// Queues `job` unless it is already waiting (or, if a worker has it, once it is done);
    /// `whenIdle`, behind every key queued without it.
    func enqueue(_ job: JobID, whenIdle: Bool = false) {
        let now = ContinuousClock.now
        let handoff = shards[shard(of: job)].mutex.withLock { shard -> (CheckedContinuation<[Item]?, Never>, Item)? in
            guard shard.add(job, now: now, whenIdle: whenIdle), let waiter = shard.waiter, let item = shard.take(now: now) else { return nil }
            shard.waiter = nil
            return (waiter, item)
        }
        if let (waiter, item) = handoff { waiter.resume(returning: [item]) }
    }

    /// The next job for worker `index`; nil once closed. The worker must call `done`.
    func next(worker index: Int) async -> Item? {
        await next(worker: index, limit: 1)?.first
    }

    /// Up to `limit` jobs for worker `index`, in the queue's (tenant-fair) order, as soon as
    /// there is one; nil once closed. The worker must call `done` for each.
    func next(worker index: Int, limit: Int) async -> [Item]? {
        await withCheckedContinuation { continuation in
            let ready = shards[index].mutex.withLock { shard -> [Item]?? in
                if shard.closed { return .some(nil) }
                let now = ContinuousClock.now
                var items: [Item] = []
                while items.count < limit, let item = shard.take(now: now) { items.append(item) }
                guard !items.isEmpty else {
                    shard.waiter = continuation
                    return nil
                }
                return .some(items)
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends the processing of `job`; if it was enqueued meanwhile, queues it again.
    func done(_ job: JobID) {
        done([job])
    }

    /// Ends the processing of `jobs` (a chunk from one shard: one lock), re-queueing those
    /// enqueued meanwhile.
    func done(_ jobs: [JobID]) {
        guard let first = jobs.first else { return }
        let index = shard(of: first)
        let box = shards[index]
        var again: [JobID] = []
        box.mutex.withLock { shard in
            for job in jobs {
                assert(self.shard(of: job) == index, "a chunk comes from one shard")
                shard.processing.remove(job)
                if shard.redo.remove(job) != nil { again.append(job) }
            }
        }
        for job in again { enqueue(job) }
    }

    /// Keys waiting, over all shards.
    var depth: Int {
        shards.reduce(0) { total, box in total + box.mutex.withLock { $0.count } }
    }

    /// Wakes every worker with nil; later enqueues are dropped.
    func close() {
        for shard in shards {
            let waiter = shard.mutex.withLock { shard -> CheckedContinuation<[Item]?, Never>? in
                shard.closed = true
                defer { shard.waiter = nil }
                return shard.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
