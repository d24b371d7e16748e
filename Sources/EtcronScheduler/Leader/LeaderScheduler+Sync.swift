import CronSchedule
import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import Logging
import Metrics
import Synchronization

extension LeaderScheduler {
    /// One job decided, waiting for its commit.
    private struct Decided {
        var job: JobID
        var result: SyncResult
        var assigned: [Etcron_V1_Run]
        var item: CommitItem?
    }

    /// The executors a chunk of syncs assigns runs to, read once per chunk, with their
    /// active runs (counting those the chunk assigns as it goes).
    struct Executors {
        var leases: [String: Int64]
        var sorted: [String]
        var active: [Int]
        /// The live members' names (made once per chunk, not per job).
        var live: Set<String>

        init(leases: [String: Int64], sorted: [String], active: [Int]) {
            self.leases = leases
            self.sorted = sorted
            self.active = active
            live = Set(leases.keys)
        }

        /// The executor with the most free capacity: the fewest active runs, ties taken in
        /// turn from `start`; counted as one run busier.
        mutating func next(from start: Int) -> String {
            let first = Int(UInt(bitPattern: start) % UInt(sorted.count))
            var best = first
            for step in 1..<max(1, sorted.count) {
                let candidate = (first + step) % sorted.count
                if active[candidate] < active[best] { best = candidate }
            }
            active[best] += 1
            return sorted[best]
        }
    }

    /// Syncs a chunk of jobs: decides each, commits all their writes together (the
    /// batcher packs them into fenced transactions; the chunk waits once), then applies
    /// each job's outcome and re-arms its timer. A job whose sync fails for any reason but
    /// lost leadership is retried after its own backoff (`SyncRetries`); the others go on.
    func sync(_ jobs: [JobID]) async throws {
        let decided = try await decide(jobs)
        var outcomes = await batcher.submit(decided.compactMap(\.item)).makeIterator()
        var commits: [JobIndex.Commit] = []
        var wakes: [(job: JobID, when: Date?)] = []
        var stale: [JobID] = []
        for one in decided {
            guard one.item != nil, let outcome = outcomes.next() else {
                wakes.append((one.job, one.result.nextWake))
                continue
            }
            switch outcome {
            case .success(.committed(let revision)):
                commits.append(JobIndex.Commit(job: one.job, result: one.result, assigned: one.assigned, revision: revision))
                wakes.append((one.job, one.result.nextWake))
            case .success(.conflict):
                stale.append(one.job)
            case .failure(let error):
                try retryLater(one.job, after: error)
            }
        }
        // What was committed is applied (index, timers, metrics) a chunk at a time.
        index.committed(commits)
        retries.succeeded(wakes.lazy.map(\.job))  // synced: committed, or nothing to commit
        schedule(wakes)
        for commit in commits {
            record(commit.job, commit.result.decisions)
            for run in commit.result.updatedRuns where run.state.isTerminal { metrics.runEnded(tenant: commit.job.tenant, state: run.state) }
        }
        for job in stale {
            do {
                try await reload(job)
                queue.enqueue(job)
            } catch {
                try retryLater(job, after: error)
            }
        }
    }

    /// What every job of a chunk is decided against, read once per chunk: the quotas and
    /// target policies in force (each behind a lock the four workers would otherwise take
    /// once per job).
    private struct ChunkContext {
        var quotas: QuotaBook
        var policies: TargetPolicyBook
        /// The executors that read assignment batches.
        var batchReaders: Set<String>
    }

    /// Decides for each of `jobs`, from one read of their entries (released on return, so
    /// applying the commits later changes the entries in place rather than copying them).
    private func decide(_ jobs: [JobID]) async throws -> [Decided] {
        let members = index.members
        let sorted = members.keys.sorted()
        let busy = index.activeRunsByExecutor
        var executors = Executors(leases: members, sorted: sorted, active: sorted.map { busy[$0] ?? 0 })
        let context = ChunkContext(
            quotas: quotas.withLock { $0 }, policies: targetPolicies.withLock { $0 }, batchReaders: batchReaders.withLock { $0 })
        var decided: [Decided] = []
        decided.reserveCapacity(jobs.count)
        for (job, entry) in zip(jobs, index.entries(jobs)) {
            do {
                if let one = try await decide(job, entry, context, &executors) { decided.append(one) }
            } catch {
                try retryLater(job, after: error)
            }
        }
        return decided
    }

    /// Decides for one job: what `JobSync.sync` returns, its runs assigned, and the writes.
    /// Nil when there is nothing to commit for a reason of its own (no spec; a bad spec,
    /// reported here).
    private func decide(_ job: JobID, _ entry: JobEntry?, _ context: ChunkContext, _ executors: inout Executors) async throws -> Decided? {
        guard let entry, let compiled = entry.schedule else {
            schedule(job, at: nil)
            return nil
        }
        // An undecodable spec has no `spec`, only the problem: report it before anything
        // that needs a spec.
        let schedule: CronSchedule
        switch compiled {
        case .success(let value):
            schedule = value
        case .failure(let problem):
            try await reportBadSpec(job, entry, problem)
            return nil
        }
        guard let spec = entry.spec else {
            self.schedule(job, at: nil)
            return nil
        }
        let quota = context.quotas.maxRunningRuns(forTenant: job.tenant)
        // A spec an editor wrote runs only while its tenant's policy allows its target.
        var refusal: String?
        if let bound = spec.bound,
            let (_, reason) = context.policies.policy(forTenant: job.tenant).refusal(of: bound.target, tenant: job.tenant)
        {
            refusal = "not run: \(reason) (the job was last written by \(bound.author.isEmpty ? "a token" : "token \"\(bound.author)\""), which is not an admin's)"
        }
        let input = SyncInput(
            job: job, spec: spec, schedule: schedule, specRevision: entry.specRevision, status: entry.status,
            runs: Array(entry.runs.values), triggers: entry.triggers.map { SyncInput.Trigger(id: $0.key, request: $0.value) },
            liveMembers: executors.live, memberLeases: executors.leases,
            tenantActiveRuns: quota == nil ? 0 : index.activeRuns(tenant: job.tenant),
            tenantRunQuota: quota, targetRefusal: refusal, leaderToken: leadership.fence.token, now: now())
        let result = JobSync.sync(input)
        let assigned = assign(result, entry, &executors)
        guard !result.isEmpty || !assigned.isEmpty else { return Decided(job: job, result: result, assigned: [], item: nil) }
        let item = try CommitItem(
            job: job, keys: keys, result: result, assigned: assigned, runRevisions: entry.runRevisions, errorDecision: nil,
            batching: context.batchReaders)
        return Decided(job: job, result: result, assigned: assigned, item: item)
    }

    /// Gives each assignable run to the live member with the most free capacity (the
    /// fewest active runs; ties in turn), so a burst spreads evenly even when one executor
    /// is still busy with an earlier one.
    private func assign(_ result: SyncResult, _ entry: JobEntry, _ executors: inout Executors) -> [Etcron_V1_Run] {
        guard !executors.sorted.isEmpty, !result.assignable.isEmpty else { return [] }
        // A sync creates or changes a run or two: searched in place, not indexed.
        return result.assignable.compactMap { runID in
            guard var run = result.newRuns.first(where: { $0.runID == runID }) ?? result.updatedRuns.first(where: { $0.runID == runID })
                ?? entry.runs[runID]
            else { return nil }
            let turn = nextMember.withLock { counter -> Int in
                defer { counter &+= 1 }
                return counter
            }
            return run.applies(.assign(executor: executors.next(from: turn))) ? run : nil
        }
    }

    private func record(_ job: JobID, _ decisions: [Etcron_V1_Decision]) {
        for decision in decisions {
            let lag = Double(decision.decidedAtUnixMs) / 1000 - Double(decision.scheduledUnix)
            metrics.decisionLag.recordNanoseconds(Int64(max(0, lag) * 1e9))
            let (kind, reason, count) = decision.kind == .invoke
                ? ("invoke", "", Int64(1)) : ("skip", decision.reason.label, decision.count)
            metrics.decision(tenant: job.tenant, kind, reason: reason, count: count)
            options.jobMetrics?.decided(job, decision: kind, reason: reason, count: count)
        }
    }

    /// A spec that cannot be scheduled: reported once per revision (log, metric, and an
    /// `error` decision record), never fatal to the leader.
    private func reportBadSpec(_ job: JobID, _ entry: JobEntry, _ problem: JobSpecProblem) async throws {
        schedule(job, at: nil)
        guard entry.reportedErrorRevision != entry.specRevision else { return }
        metrics.corruptRecord("spec")
        logger.error("job cannot be scheduled; skipped", metadata: ["job": "\(job)", "problem": "\(problem)", "revision": "\(entry.specRevision)"])
        let decision = Etcron_V1_Decision.error(
            atUnixMs: Int64(now().timeIntervalSince1970 * 1000), message: "spec revision \(entry.specRevision): \(problem.message)",
            leaderToken: leadership.fence.token)
        // The status goes with it: it tells a later leader when the job was last active,
        // so its history is collected once it is deleted, even with no run or cursor.
        var result = SyncResult()
        var status = entry.status ?? Etcron_V1_JobStatus()
        status.lastErrorUnix = decision.scheduledUnix
        result.status = status
        let item = try CommitItem(job: job, keys: keys, result: result, assigned: [], runRevisions: [:], errorDecision: decision)
        if case .committed(let revision) = try await batcher.submit(item) {
            index.committed(job, result, assigned: [], errorRevision: entry.specRevision, revision: revision)
            metrics.decision(tenant: job.tenant, "skip", reason: "error", count: 1)
            options.jobMetrics?.decided(job, decision: "skip", reason: "error", count: 1)
        } else {
            index.committed(job, SyncResult(), assigned: [], errorRevision: entry.specRevision, revision: 0)
        }
    }

    /// Re-reads a job whose compares failed (its in-memory view was stale).
    func reload(_ job: JobID) async throws {
        let spec = try await client.range(.key(keys.spec(job.tenant, job.name)))
        var options = RangeOptions()
        options.revision = spec.header.revision
        let status = try await client.range(.key(keys.status(job.tenant, job.name)), options: options)
        let runs = try await client.range(.prefix(keys.runs(job.tenant, job.name)), options: options)
        let triggers = try await client.range(.prefix(keys.triggers(job.tenant, job.name)), options: options)
        index.replace(job, with: nil)
        for kv in spec.kvs + status.kvs + runs.kvs + triggers.kvs { index.put(kv) }
    }
}
