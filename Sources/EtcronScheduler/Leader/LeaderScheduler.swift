import CronSchedule
import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import Metrics
import SwiftProtobuf
import Synchronization

/// One term of scheduling: load every job at a revision after the win, then follow the
/// watch (never polling), keep one timer heap of next fire times, shard due jobs over the
/// workers, run `sync` and commit its decisions fenced, in batches.
final class LeaderScheduler: Sendable {
    let leadership: Leadership
    let options: SchedulerWork.Options
    let keys: JobKeys
    let index: JobIndex
    let queue: ShardedWorkQueue
    let timers = Mutex(TimerHeap())
    let armed = Mutex<Date?>(nil)
    let wake = WakeSignal()
    let batcher: DecisionBatcher
    let metrics = SchedulerMetrics()
    let nextMember = Mutex(0)
    let trimmer = MemoryTrimmer()
    let retries: SyncRetries
    /// Per-tenant quotas, loaded with the jobs and followed by a watch.
    let quotas = Mutex(QuotaBook())
    /// The executing members that read assignment batches (their records say so); the
    /// others get a pointer per run.
    let batchReaders = Mutex<Set<String>>([])
    /// Per-tenant target policies, loaded with the jobs and followed by a watch.
    let targetPolicies = Mutex(TargetPolicyBook())

    var client: any EtcdKV { leadership.client }
    var logger: Logger { leadership.logger }

    init(leadership: Leadership, options: SchedulerWork.Options) {
        self.leadership = leadership
        self.options = options
        keys = JobKeys(leadership.keys)
        index = JobIndex(keys: keys, leaderToken: leadership.fence.token)
        queue = ShardedWorkQueue(workers: options.workers)
        batcher = DecisionBatcher(leadership: leadership)
        retries = SyncRetries(backoff: options.syncRetry)
    }

    /// Now, by the scheduler's clock.
    func now() -> Date { options.clock.now() }

    func run() async throws {
        let members = try await client.range(.prefix(keys.base.members))
        let executors = members.kvs.compactMap { kv -> (id: String, executor: MemberExecutor)? in
            guard case .member(let id)? = RecordKey(kv.keyString, keys: keys) else { return nil }
            return Self.executor(kv).map { (id, $0) }
        }
        index.setMembers(Dictionary(executors.map { ($0.id, $0.executor.lease) }, uniquingKeysWith: { _, last in last }))
        batchReaders.withLock { $0 = Set(executors.filter(\.executor.readsBatches).map(\.id)) }
        let (book, quotaRevision, corrupt) = try await QuotaBook.load(client: client, keys: keys)
        corrupt.forEach(reportCorruptQuota)
        quotas.withLock { $0 = book }
        let (policies, policyRevision, badPolicies) = try await TargetPolicyBook.load(client: client, keys: keys)
        badPolicies.forEach(reportCorruptPolicy)
        targetPolicies.withLock { $0 = policies }
        let revision = try await client.rangePaged(.prefix(keys.jobs), pageSize: 2000) { kvs in
            for kv in kvs { self.index.put(kv) }
        }
        // Statuses are only written by leaders, so they are read once, at the same revision,
        // and never watched.
        try await client.rangePaged(.prefix(keys.statuses), pageSize: 2000, revision: revision) { kvs in
            for kv in kvs { self.index.put(kv) }
        }
        let jobs = index.jobIDs
        logger.info("scheduler loaded jobs", metadata: ["jobs": "\(jobs.count)", "revision": "\(revision)"])
        let perTenant = index.jobsPerTenant
        _ = index.takeJobCountChanges()
        for (tenant, count) in perTenant { metrics.jobs(tenant: tenant, count: count) }
        // Only a leader counts jobs: when its term ends its gauges drop to 0, so that the
        // dashboard's max over replicas shows the count of the leader in office.
        defer { for tenant in index.tenantsCounted { metrics.jobs(tenant: tenant, count: 0) } }
        try await fillTenantIndex(Set(perTenant.keys))
        for job in jobs { queue.enqueue(job) }
        let queue = self.queue
        // Workers wait for keys without polling; closing the queue is what wakes them when
        // leadership ends (cancellation) or any part fails, so the term ends at once.
        try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                defer { queue.close() }
                group.addTask { try await self.followJobs(from: revision + 1) }
                group.addTask { try await self.followMembers(from: members.header.revision + 1) }
                group.addTask { try await self.followQuotas(from: quotaRevision + 1) }
                group.addTask { try await self.followTargetPolicies(from: policyRevision + 1) }
                group.addTask { await self.timerLoop() }
                group.addTask { try await self.collectHistory() }
                for worker in 0..<queue.workerCount {
                    group.addTask { try await self.work(worker) }
                }
                try await group.next()
                group.cancelAll()
            }
        } onCancel: {
            queue.close()
        }
    }

    // MARK: - Watches

    private func followJobs(from revision: Int64) async throws {
        for try await response in client.watch(.prefix(keys.jobs), options: WatchOptions(startRevision: revision)) {
            for event in response.events {
                let effect = event.kind == .put ? index.put(event.kv, watched: true) : index.delete(event.kv.keyString)
                if event.kind == .delete, let metrics = options.jobMetrics, case .spec(let job)? = RecordKey(event.kv.keyString, keys: keys) {
                    metrics.forget(job)
                }
                switch effect {
                case .none: break
                case .sync(let job): queue.enqueue(job)
                case .syncWhenIdle(let job): queue.enqueue(job, whenIdle: true)
                }
            }
            // Jobs created or deleted move the jobs-per-tenant gauge at once.
            for (tenant, count) in index.takeJobCountChanges() { metrics.jobs(tenant: tenant, count: count) }
        }
    }

    private func followMembers(from revision: Int64) async throws {
        for try await response in client.watch(.prefix(keys.base.members), options: WatchOptions(startRevision: revision)) {
            for event in response.events {
                guard case .member(let member)? = RecordKey(event.kv.keyString, keys: keys) else { continue }
                let executor = event.kind == .put ? Self.executor(event.kv) : nil
                let affected = index.member(member, lease: executor?.lease)
                batchReaders.withLock { readers in
                    if executor?.readsBatches == true { readers.insert(member) } else { readers.remove(member) }
                }
                if !affected.isEmpty {
                    logger.warning("executor left or restarted; rescheduling its runs", metadata: ["member": "\(member)", "jobs": "\(affected.count)"])
                }
                for job in affected { queue.enqueue(job) }
            }
        }
    }

    private func followQuotas(from revision: Int64) async throws {
        for try await response in client.watch(.prefix(keys.quotas), options: WatchOptions(startRevision: revision)) {
            for event in response.events {
                if let corrupt = quotas.withLock({ $0.apply(event, keys: keys) }) { reportCorruptQuota(corrupt) }
            }
        }
    }

    private func followTargetPolicies(from revision: Int64) async throws {
        for try await response in client.watch(.prefix(keys.targetPolicies), options: WatchOptions(startRevision: revision)) {
            for event in response.events {
                if let corrupt = targetPolicies.withLock({ $0.apply(event, keys: keys) }) { reportCorruptPolicy(corrupt) }
            }
        }
    }

    private func reportCorruptPolicy(_ record: CorruptRecord) {
        metrics.corruptRecord("target policy")
        logger.error("target policy record cannot be read; its tenant falls back to the default policy", metadata: ["record": "\(record)"])
    }

    private func reportCorruptQuota(_ record: CorruptRecord) {
        metrics.corruptRecord("quota")
        logger.error("quota record cannot be read; its tenant falls back to the default quota", metadata: ["record": "\(record)"])
    }

    /// What the leader needs of a member that executes runs: its session lease, and
    /// whether its record says it reads assignment batches.
    struct MemberExecutor {
        var lease: Int64
        var readsBatches: Bool
    }

    /// A member's executor; nil for a member that executes no runs. An unreadable record
    /// counts as an executor (older records all were) that reads no batches.
    static func executor(_ kv: KeyValue) -> MemberExecutor? {
        let record = try? Etcron_V1_Member(serializedBytes: kv.value)
        if record?.executorDisabled == true { return nil }
        return MemberExecutor(lease: kv.lease, readsBatches: record?.readsAssignmentBatches == true)
    }

    // MARK: - Timer heap

    private func timerLoop() async {
        while !Task.isCancelled {
            let now = now()
            let (due, next) = timers.withLock { heap in (heap.popDue(now: now), heap.nextWake()) }
            for job in due { queue.enqueue(job) }
            metrics.queueDepth.record(queue.depth)
            armed.withLock { $0 = next }
            await wake.wait(until: next, clock: options.clock)
        }
    }

    func schedule(_ job: JobID, at when: Date?) {
        schedule([(job, when)])
    }

    /// Sets the wakes of many jobs under one lock (a synced chunk's).
    func schedule(_ wakes: [(job: JobID, when: Date?)]) {
        guard !wakes.isEmpty else { return }
        timers.withLock { heap in
            for wake in wakes { heap.schedule(wake.job, at: wake.when) }
        }
        guard let earliest = wakes.compactMap(\.when).min() else { return }
        let earlier = armed.withLock { armed -> Bool in
            guard armed == nil || earliest < armed! else { return false }
            armed = earliest
            return true
        }
        if earlier { wake.ring() }
    }

    // MARK: - Workers

    /// Takes keys from one shard in chunks and syncs them, up to
    /// `options.commitsPerWorker` jobs at once: the queue never hands out a job that is
    /// still being synced, so the syncs in flight are of different jobs, and their commits
    /// share transactions in the batcher.
    private func work(_ worker: Int) async throws {
        let queue = self.queue
        let chunk = max(1, options.syncChunk)
        let chunksInFlight = max(1, options.commitsPerWorker / chunk)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            while let items = await queue.next(worker: worker, limit: chunk) {
                for item in items { metrics.queueLatency.record(duration: item.waited) }
                if running >= chunksInFlight {
                    try await group.next()
                    running -= 1
                }
                running += 1
                group.addTask {
                    defer {
                        queue.done(items.map(\.job))
                        self.trimmer.synced(items.count, queueDepth: queue.depth)
                    }
                    do {
                        try await self.sync(items.map(\.job))
                    } catch {
                        queue.close()  // ends the term: the other workers stop taking keys
                        throw error
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// A failed sync: lost leadership ends the term (rethrown); anything else is logged
    /// and the job retried after its own backoff (doubling with each consecutive failure).
    func retryLater(_ job: JobID, after error: any Error) throws {
        if let lost = error as? LeadershipLost { throw lost }
        if error is CancellationError { return }
        metrics.syncErrors.increment()
        let wait = retries.failed(job)
        logger.warning("sync failed; retrying", metadata: ["job": "\(job)", "error": "\(error)", "retryIn": "\(wait)"])
        schedule(job, at: now().addingTimeInterval(Double(wait / .milliseconds(1)) / 1000))
    }
}
