import CronSchedule
import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf
import Synchronization

/// The leader's in-memory view of every job, fed by one paged read at a revision after
/// the win and then by the watch from the revision after it. Workers read a job's entry,
/// run `sync` outside the lock, and apply what they committed.
final class JobIndex: Sendable {
    private struct State {
        var jobs: [JobID: JobEntry] = [:]
        var members: [String: Int64] = [:]
        /// Active runs per tenant, kept current by `store` (quotas read it on every sync).
        var activeByTenant: [String: Int] = [:]
        /// Active runs per executor they are assigned to, kept current by `store` (the
        /// leader gives new runs to the executors with the fewest).
        var activeByExecutor: [String: Int] = [:]
        /// Jobs with a decodable spec per tenant (the `etcron_jobs` gauge), and the tenants
        /// whose count changed since the leader last published them.
        var jobsByTenant: [String: Int] = [:]
        var tenantsChanged: Set<String> = []

        /// Counts a spec that came (`had` false, `has` true) or went for `tenant`.
        mutating func spec(of tenant: String, had: Bool, has: Bool) {
            guard had != has else { return }
            jobsByTenant[tenant, default: 0] += has ? 1 : -1
            tenantsChanged.insert(tenant)
        }

        /// Adds (`sign` 1) or removes (-1) `entry`'s active runs from the per-tenant and
        /// per-executor counts.
        private mutating func count(_ id: JobID, _ entry: JobEntry, _ sign: Int) {
            let active = entry.activeRuns
            guard active > 0 else { return }
            activeByTenant[id.tenant, default: 0] += sign * active
            for run in entry.runs.values where run.isActive && !run.assignedTo.isEmpty {
                activeByExecutor[run.assignedTo, default: 0] += sign
            }
        }

        /// Takes `id`'s entry out, so that changing it does not copy its storage (see
        /// `JobEntry`); `store` puts it back.
        mutating func take(_ id: JobID) -> JobEntry? {
            guard let entry = jobs.removeValue(forKey: id) else { return nil }
            count(id, entry, -1)
            return entry
        }

        /// Stores `entry` for `id` (nil or empty: forgets the job), keeping the counts.
        mutating func store(_ id: JobID, _ entry: JobEntry?) {
            // Usually taken out before: then there is nothing to replace.
            if let replaced = jobs.removeValue(forKey: id) { count(id, replaced, -1) }
            guard let entry, !entry.isEmpty else { return }
            count(id, entry, 1)
            jobs[id] = entry
        }
    }

    private let state = Mutex(State())
    let keys: JobKeys
    /// The fence token of the leader this index serves (0: none).
    let leaderToken: Int64

    init(keys: JobKeys, leaderToken: Int64 = 0) {
        self.keys = keys
        self.leaderToken = leaderToken
    }

    /// What a stored change means for scheduling.
    enum Effect {
        /// Nothing to do (our own write coming back).
        case none
        /// The job must be synced.
        case sync(JobID)
        /// The job must be synced once nothing more urgent waits: a run's result, when no
        /// other run or trigger of the job waits on it (the sync then only trims history).
        case syncWhenIdle(JobID)
    }

    /// Applies a key-value read or a put event (`watched`: from the leader's watch, which
    /// starts after its load, so every write in it was made after the leader won).
    @discardableResult
    func put(_ kv: KeyValue, watched: Bool = false) -> Effect {
        // Only a leader creates runs (executors change existing ones), and the fence keeps
        // any other leader from writing after this one won: a run created after the load is
        // this leader's own, recorded by `committed` when its commit returns. One such event
        // comes back per invoke, so it is told apart without parsing its key into strings.
        if watched, kv.version == 1, leaderToken != 0, RecordKey.namesRun(kv.key, keys: keys) { return .none }
        guard let record = RecordKey(kv.keyString, keys: keys), let id = record.job else { return .none }
        if case .run(_, let runID) = record { return putRun(id, runID, kv) }
        return state.withLock { state -> Effect in
            var entry = state.take(id) ?? JobEntry()
            defer { state.store(id, entry) }
            switch record {
            case .spec:
                guard kv.modRevision > entry.specRevision else { return .none }
                entry.specRevision = kv.modRevision
                let had = entry.spec != nil
                defer { state.spec(of: id.tenant, had: had, has: entry.spec != nil) }
                do {
                    let spec = try Etcron_V1_JobSpec(serializedBytes: kv.value)
                    entry.schedule = Self.compile(spec, id: id)
                    entry.spec = SchedulingSpec(spec)
                } catch {
                    entry.spec = nil
                    entry.schedule = .failure(JobSpecProblem(message: "the stored spec cannot be decoded: \(error)"))
                }
                return .sync(id)
            case .status:
                // Our own commits come back here: skip what is already applied.
                guard kv.modRevision > entry.statusRevision else { return .none }
                if let status = try? Etcron_V1_JobStatus(serializedBytes: kv.value) {
                    entry.status = status
                    entry.statusRevision = kv.modRevision
                }
                return .none
            case .run, .decision, .quota, .targetPolicy, .assignment, .member:
                return .none  // runs: putRun; the rest is not watched
            case .trigger(_, let triggerID):
                guard let trigger = try? Etcron_V1_ManualTrigger(serializedBytes: kv.value) else { return .none }
                entry.triggers[triggerID] = trigger
                return .sync(id)
            }
        }
    }

    /// Applies a run's put: the leader's own writes come back on the watch, once per run
    /// it creates, so what is already known is told apart without decoding or changing
    /// the job's entry, and decoding happens outside the lock.
    private func putRun(_ id: JobID, _ runID: String, _ kv: KeyValue) -> Effect {
        let known = state.withLock { $0.jobs[id]?.runRevisions[runID] }
        if let known, known >= kv.modRevision { return .none }
        guard let run = try? Etcron_V1_Run(serializedBytes: kv.value) else { return .none }
        /// What the change is, for the leader.
        enum Change {
            case stale, claimedByLiveExecutor, result(trims: Bool), other
        }
        let change = state.withLock { state -> Change in
            var entry = state.take(id) ?? JobEntry()
            defer { state.store(id, entry) }
            if let known = entry.runRevisions[runID], known >= kv.modRevision { return .stale }
            let before = entry.runs[runID]
            entry.runs[runID] = run.indexed
            entry.runRevisions[runID] = kv.modRevision
            // An executor claimed (or started, or retried) a run it was assigned, under the
            // session it still holds: nothing for the leader to decide, so a burst of claims
            // does not queue a sync per run behind the burst's decisions. A claim by an
            // executor the leader already counts as lost still syncs (and is handled there).
            if run.state == .running, !run.stopRequested, before?.isActive == true, before?.stopRequested == false,
                state.members[run.assignedTo] == run.executorLease
            {
                return .claimedByLiveExecutor
            }
            // A run that just ended, with no other run or trigger of its job waiting on it.
            if run.state.isTerminal, before?.isActive == true, entry.triggers.isEmpty,
                !entry.runs.values.contains(where: { $0.state == .pending && $0.assignedTo.isEmpty })
            {
                return .result(trims: Self.exceedsHistory(entry))
            }
            return .other
        }
        switch change {
        case .stale, .claimedByLiveExecutor: return .none
        // Its sync would only trim the job's history: it happens when there is some to
        // trim, once the queue is idle (the next due time's sync trims too).
        case .result(let trims): return trims ? .syncWhenIdle(id) : .none
        case .other: break
        }
        // Only leaders write pending runs (executors write running and finished ones), so
        // a pending run stamped with this leader's token is its own write coming back,
        // often before the commit's reply: nothing new to decide.
        if run.state == .pending, leaderToken != 0, run.leaderToken == leaderToken { return .none }
        return .sync(id)
    }

    /// Whether `entry` keeps more finished runs than its spec's history limits: its sync
    /// would delete some (`SyncState.trimHistory`, the same limits and classes).
    static func exceedsHistory(_ entry: JobEntry) -> Bool {
        guard let spec = entry.spec else { return true }
        var succeeded = 0, failed = 0
        for run in entry.runs.values where run.state.isTerminal {
            if run.state == .succeeded { succeeded += 1 } else { failed += 1 }
        }
        return succeeded > spec.keepSucceeded || failed > spec.keepFailed
    }

    /// Applies a delete event.
    @discardableResult
    func delete(_ key: String) -> Effect {
        guard let record = RecordKey(key, keys: keys), let id = record.job else { return .none }
        return state.withLock { state -> Effect in
            guard var entry = state.take(id) else { return .none }
            defer { state.store(id, entry) }
            switch record {
            case .spec:
                state.spec(of: id.tenant, had: entry.spec != nil, has: false)
                entry.spec = nil
                entry.schedule = nil
                return .sync(id)
            case .run(_, let runID):
                entry.runs[runID] = nil
                entry.runRevisions[runID] = nil
                return .none
            case .trigger(_, let triggerID):
                entry.triggers[triggerID] = nil
                return .none
            case .status:
                // Garbage collection of a deleted job (statuses are not watched: the
                // collector applies its own delete); what is left of it is forgotten.
                entry.status = nil
                entry.statusRevision = 0
                return .none
            case .decision, .quota, .targetPolicy, .assignment, .member:
                return .none
            }
        }
    }

    /// Validates and compiles a stored spec exactly as the API does before storing it, so a
    /// record written behind the API's back (etcdctl, an older version) is judged the same.
    static func compile(_ spec: Etcron_V1_JobSpec, id: JobID) -> Result<CronSchedule, JobSpecProblem> {
        guard spec.tenant == id.tenant, spec.name == id.name else {
            return .failure(JobSpecProblem(message: "the spec names \(spec.tenant)/\(spec.name) but is stored under \(id)"))
        }
        do {
            return .success(try CompiledJob(spec: spec).schedule)
        } catch {
            return .failure(JobSpecProblem(message: error.problems.map(\.description).joined(separator: "; ")))
        }
    }

    /// A copy of one job's entry.
    func entry(_ id: JobID) -> JobEntry? {
        state.withLock { $0.jobs[id] }
    }

    /// Copies of many jobs' entries, under one lock.
    func entries(_ ids: [JobID]) -> [JobEntry?] {
        state.withLock { state in ids.map { state.jobs[$0] } }
    }

    /// What one job's commit wrote, for `committed`.
    struct Commit {
        var job: JobID
        var result: SyncResult
        var assigned: [Etcron_V1_Run]
        var revision: Int64
    }

    /// Records what a worker committed, so its echo from the watch is ignored: many jobs
    /// under one lock.
    func committed(_ commits: [Commit]) {
        guard !commits.isEmpty else { return }
        state.withLock { state in
            for commit in commits {
                Self.apply(commit.job, commit.result, assigned: commit.assigned, errorRevision: nil, revision: commit.revision, to: &state)
            }
        }
    }

    /// Records what a worker committed at `revision`, so its echo from the watch is ignored.
    func committed(_ id: JobID, _ result: SyncResult, assigned: [Etcron_V1_Run], errorRevision: Int64?, revision: Int64) {
        state.withLock { state in
            Self.apply(id, result, assigned: assigned, errorRevision: errorRevision, revision: revision, to: &state)
        }
    }

    private static func apply(_ id: JobID, _ result: SyncResult, assigned: [Etcron_V1_Run], errorRevision: Int64?, revision: Int64, to state: inout State) {
        guard var entry = state.take(id) else { return }
        if let status = result.status {
            entry.status = status
            entry.statusRevision = max(entry.statusRevision, revision)
        }
        func written(_ run: Etcron_V1_Run) {
            // An executor's change may have come in on the watch before this reply.
            if let known = entry.runRevisions[run.runID], known > revision { return }
            entry.runs[run.runID] = run.indexed
            entry.runRevisions[run.runID] = revision
        }
        // A run assigned was written as assigned (new or not): recorded once, in that form.
        for run in assigned { written(run) }
        for run in result.newRuns where !assigned.contains(where: { $0.runID == run.runID }) { written(run) }
        for run in result.updatedRuns where !assigned.contains(where: { $0.runID == run.runID }) { written(run) }
        for runID in result.deletedRuns {
            entry.runs[runID] = nil
            entry.runRevisions[runID] = nil
        }
        for triggerID in result.consumedTriggers { entry.triggers[triggerID] = nil }
        if let errorRevision { entry.reportedErrorRevision = errorRevision }
        state.store(id, entry)
    }

    /// Forgets what is known about a job's runs so the next read reloads them.
    func replace(_ id: JobID, with entry: JobEntry?) {
        state.withLock { $0.store(id, entry) }
    }

    // MARK: - Members

    func setMembers(_ members: [String: Int64]) {
        state.withLock { $0.members = members }
    }

    /// Records a member's session (nil: it left). When it left or came back with a new
    /// session, returns the jobs with runs assigned to it, whose executor is then lost.
    func member(_ id: String, lease: Int64?) -> [JobID] {
        state.withLock { state in
            let previous = state.members[id]
            state.members[id] = lease
            guard previous != nil, previous != lease else { return [] }
            return state.jobs.compactMap { job, entry in
                entry.runs.values.contains { $0.isActive && $0.assignedTo == id } ? job : nil
            }
        }
    }

    /// Live members and their session leases.
    var members: [String: Int64] { state.withLock { $0.members } }

    /// Every job with a spec record (one that cannot be decoded included, to be reported).
    var jobIDs: [JobID] { state.withLock { $0.jobs.compactMap { $0.value.schedule == nil ? nil : $0.key } } }

    /// Active runs per executor (to spread new runs by free capacity).
    var activeRunsByExecutor: [String: Int] { state.withLock { $0.activeByExecutor } }

    /// Active runs per tenant (for quotas).
    func activeRuns(tenant: String) -> Int {
        state.withLock { $0.activeByTenant[tenant] ?? 0 }
    }

    /// What garbage collection needs of every job known (deleted ones with records left
    /// included).
    var historyFacts: [JobHistoryFacts] {
        state.withLock { state in
            state.jobs.map { id, entry in
                let runActivity = entry.runs.values.map { max($0.finishedAtUnixMs, $0.createdAtUnixMs) / 1000 }.max() ?? 0
                let decided = entry.status?.decidedThroughUnix ?? 0
                let errored = entry.status?.lastErrorUnix ?? 0
                return JobHistoryFacts(
                    job: id, deleted: entry.spec == nil && entry.schedule == nil, decidedThroughUnix: decided,
                    lastActivityUnix: max(decided, errored, runActivity), hasActiveRuns: entry.activeRuns > 0)
            }
        }
    }

    /// Jobs per tenant, for the gauge.
    var jobsPerTenant: [String: Int] {
        state.withLock { $0.jobsByTenant.filter { $0.value > 0 } }
    }

    /// Every tenant whose jobs were counted in this term (some may have none left).
    var tenantsCounted: [String] {
        state.withLock { Array($0.jobsByTenant.keys) }
    }

    /// The tenants whose number of jobs changed since the last call, with their count now
    /// (0: the tenant's last job went), for the gauge to follow specs created and deleted.
    func takeJobCountChanges() -> [(tenant: String, jobs: Int)] {
        state.withLock { state in
            defer { state.tenantsChanged.removeAll() }
            return state.tenantsChanged.map { ($0, state.jobsByTenant[$0] ?? 0) }
        }
    }
}
