import Synchronization

/// Job keys sharded over N workers by a stable hash: one job is only ever synced by one
/// worker at a time, duplicates collapse while a key waits, and each shard keeps FIFO order.
final class ShardedWorkQueue: Sendable {
    private struct Shard {
        var order: [JobID] = []
        var head = 0
        var queued: Set<JobID> = []
        var waiter: CheckedContinuation<JobID?, Never>?
        var closed = false
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
        var hasher = StableHasher()
        hasher.combine(job.tenant)
        hasher.combine(job.name)
        return Int(hasher.value % UInt64(shards.count))
    }

    /// Queues `job` unless it is already waiting.
    func enqueue(_ job: JobID) {
        let waiter = shards[shard(of: job)].mutex.withLock { shard -> CheckedContinuation<JobID?, Never>? in
            guard !shard.closed, !shard.queued.contains(job) else { return nil }
            if let waiter = shard.waiter {
                shard.waiter = nil
                return waiter
            }
            shard.queued.insert(job)
            shard.order.append(job)
            return nil
        }
        waiter?.resume(returning: job)
    }

    /// The next job for worker `index`; nil once closed.
    func next(worker index: Int) async -> JobID? {
        await withCheckedContinuation { continuation in
            let ready = shards[index].mutex.withLock { shard -> JobID?? in
                if shard.closed { return .some(nil) }
                guard shard.head < shard.order.count else {
                    shard.waiter = continuation
                    return nil
                }
                let job = shard.order[shard.head]
                shard.head += 1
                shard.queued.remove(job)
                if shard.head > 1024, shard.head * 2 > shard.order.count {
                    shard.order.removeFirst(shard.head)
                    shard.head = 0
                }
                return .some(job)
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Keys waiting, over all shards.
    var depth: Int {
        shards.reduce(0) { total, box in total + box.mutex.withLock { $0.order.count - $0.head } }
    }

    /// Wakes every worker with nil; later enqueues are dropped.
    func close() {
        for shard in shards {
            let waiter = shard.mutex.withLock { shard -> CheckedContinuation<JobID?, Never>? in
                shard.closed = true
                defer { shard.waiter = nil }
                return shard.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}

/// FNV-1a over the UTF-8 of strings: the same shard on every run and version.
struct StableHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        value ^= 0xff
        value &*= 0x0000_0100_0000_01b3
    }
}
