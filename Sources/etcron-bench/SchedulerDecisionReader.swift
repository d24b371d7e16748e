import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf

/// Reads back, after the burst, what the scheduler wrote since a revision: the decisions
/// made for one scheduled second and every record written with them. Reading afterwards
/// (rather than watching during the burst) keeps the benchmark's own load off etcd while
/// the scheduler is measured.
struct SchedulerDecisionReader: Sendable {
    struct Result: Sendable {
        /// Decided-at minus the scheduled second, in milliseconds, one per decision, by
        /// scheduled second.
        var lagsMs: [Int64: [Int64]] = [:]
        /// Invokes among them.
        var invokes = 0
        /// Keys written (created or changed) under the jobs, status and decisions prefixes
        /// since the revision.
        var writes = 0
        /// Transactions the scheduler committed (etcd revisions) since the revision.
        var transactions: Int64 = 0
        /// Decisions of other seconds (there should be none).
        var strays = 0

        /// Every decision read, of every second.
        var decisions: Int { lagsMs.values.reduce(0) { $0 + $1.count } }
    }

    let client: EtcdClient
    let keys: JobKeys

    func read(since revision: Int64, scheduled: Set<Int64>) async throws -> Result {
        var result = Result()
        func count(_ decision: Etcron_V1_Decision) {
            guard scheduled.contains(decision.scheduledUnix) else {
                result.strays += 1
                return
            }
            result.lagsMs[decision.scheduledUnix, default: []].append(decision.decidedAtUnixMs - decision.scheduledUnix * 1000)
            if decision.kind == .invoke { result.invokes += 1 }
        }
        // An invoke's decision is held by its run until the run is trimmed.
        let now = try await client.rangePaged(.prefix(keys.jobs), pageSize: 2000, minModRevision: revision) { kvs in
            result.writes += kvs.count
            for kv in kvs where kv.keyString.contains("/runs/") {
                if let decision = (try? Etcron_V1_Run(serializedBytes: kv.value))?.heldDecision { count(decision) }
            }
        }
        _ = try await client.rangePaged(.prefix(keys.statuses), pageSize: 2000, revision: now, minModRevision: revision) { kvs in
            result.writes += kvs.count
        }
        _ = try await client.rangePaged(.prefix(keys.decisionLog), pageSize: 2000, revision: now, minModRevision: revision) { kvs in
            for kv in kvs {
                result.writes += 1
                if let decision = try? Etcron_V1_Decision(serializedBytes: kv.value) { count(decision) }
            }
        }
        result.transactions = now - revision + 1
        return result
    }
}
