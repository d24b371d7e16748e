import EtcdClient
import EtcronCore

/// Plans the leader's garbage collection of history, a pure value tested with any clock.
///
/// - Decisions older than the retention are deleted job by job with one range delete
///   (their keys sort by scheduled time). A job is trimmed again only when it decided
///   something since its last trim, so idle jobs cost nothing pass after pass.
/// - Every record of a deleted job (status, runs, decisions) goes once the job has been
///   quiet for the retention and has no active run; the delete is conditional on the spec
///   still being absent, so a job created again under the same name keeps its records.
struct HistoryCollector: Sendable {
    /// One job's deletions.
    struct Deletion: Sendable {
        enum Kind: Sendable, Hashable {
            /// Decisions scheduled before `before` (unix seconds).
            case trim(before: Int64)
            /// Everything left of a deleted job.
            case purge
        }

        var job: JobID
        var kind: Kind
        var compares: [Compare]
        var operations: [TxnOperation]
    }

    let keys: JobKeys
    let retentionSeconds: Int64
    /// Per job, the time before which its decisions are known to be deleted (this term).
    private(set) var trimmedBefore: [JobID: Int64] = [:]

    init(keys: JobKeys, retentionSeconds: Int64) {
        self.keys = keys
        self.retentionSeconds = retentionSeconds
    }

    /// The deletions due at `nowUnix` for the jobs in `facts`, in job order.
    func plan(_ facts: [JobHistoryFacts], nowUnix: Int64) -> [Deletion] {
        let cutoff = nowUnix - retentionSeconds
        return facts.sorted { $0.job < $1.job }.compactMap { fact -> Deletion? in
            let id = fact.job
            if fact.deleted, !fact.hasActiveRuns, fact.lastActivityUnix < cutoff {
                return Deletion(
                    job: id, kind: .purge,
                    compares: [.createRevision(keys.spec(id.tenant, id.name), .equal, 0)],
                    operations: [
                        .delete(.prefix(keys.job(id.tenant, id.name))), .delete(.key(keys.status(id.tenant, id.name))),
                        .delete(.prefix(keys.decisions(id.tenant, id.name))),
                    ])
            }
            // Decisions exist before the cutoff only if some were made at or after the
            // previous one (or nothing is known yet this term).
            if let trimmed = trimmedBefore[id], fact.decidedThroughUnix < trimmed || cutoff <= trimmed { return nil }
            let range = KeyRange.range(
                from: keys.decisions(id.tenant, id.name), to: keys.decision(id.tenant, id.name, scheduledUnix: cutoff))
            return Deletion(job: id, kind: .trim(before: cutoff), compares: [], operations: [.delete(range)])
        }
    }

    /// Records a committed deletion.
    mutating func done(_ deletion: Deletion) {
        switch deletion.kind {
        case .trim(let before): trimmedBefore[deletion.job] = before
        case .purge: trimmedBefore[deletion.job] = nil
        }
    }

    /// Forgets jobs no longer in the index.
    mutating func keep(only jobs: Set<JobID>) {
        trimmedBefore = trimmedBefore.filter { jobs.contains($0.key) }
    }
}
