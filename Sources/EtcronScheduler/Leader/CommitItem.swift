import EtcdClient
import EtcronCore
import EtcronProto
import Foundation
import SwiftProtobuf

/// One job's share of a fenced transaction: the compares that make its writes safe to
/// retry (records created only if absent, runs changed only at the revision read), and
/// the writes, and the runs it hands to executors that read assignment batches (the
/// batcher writes one `AssignmentBatch` per executor per Txn for them).
struct CommitItem: Sendable {
    /// A run handed to an executor through the Txn's assignment batch.
    struct Handoff: Sendable {
        var executor: String
        var run: Etcron_V1_AssignedRun
    }

    var job: JobID
    var compares: [Compare] = []
    var operations: [TxnOperation] = []
    var handoffs: [Handoff] = []

    /// Runs larger than this (one retried after its executor was lost carries the output
    /// of its earlier attempts) get a pointer of their own: a batch repeats the runs it
    /// hands off, and etcd refuses requests over 1.5 MiB.
    static let maxHandedRunBytes = 4096

    /// Builds the writes of `result` for `job`; `assigned` are runs (new or existing) now
    /// given to an executor; those given to a member of `batching` go in an assignment
    /// batch, the others get a pointer of their own.
    init(
        job: JobID, keys: JobKeys, result: SyncResult, assigned: [Etcron_V1_Run], runRevisions: [String: Int64],
        errorDecision: Etcron_V1_Decision?, batching: Set<String> = []
    ) throws {
        self.job = job
        // A sync writes a run or two: the runs are searched in place rather than indexed
        // (at the top of the hour this runs once per decision).
        func assignment(of runID: String) -> Etcron_V1_Run? { assigned.first { $0.runID == runID } }
        // Exactly one decision per scheduled time, wherever it is held (DecisionPlacement):
        // skips in the log, invokes in their runs, created only if absent below.
        (compares, operations) = try DecisionPlacement.logWrites(
            errorDecision.map { result.decisions + [$0] } ?? result.decisions, job: job, keys: keys)
        // Each run's key is made once; the runs handed off in a batch, by run ID.
        var handed: [(runID: String, key: String, bytes: Data)] = []
        func handedOff(_ runID: String) -> (key: String, bytes: Data)? {
            handed.first { $0.runID == runID }.map { ($0.key, $0.bytes) }
        }
        func put(_ key: String, _ run: Etcron_V1_Run) throws {
            let bytes = try run.serializedData()
            operations.append(.put(key, bytes))
            if batching.contains(run.assignedTo), bytes.count <= Self.maxHandedRunBytes, assignment(of: run.runID) != nil {
                handed.append((run.runID, key, bytes))
            }
        }
        for run in result.newRuns {
            let key = keys.run(job.tenant, job.name, runID: run.runID)
            compares.append(.createRevision(key, .equal, 0))
            try put(key, assignment(of: run.runID) ?? run)
        }
        // Runs assigned that are not new (a retry, a run that waited) are written as updates.
        var updated = result.updatedRuns.map { assignment(of: $0.runID) ?? $0 }
        for run in assigned where !result.newRuns.contains(where: { $0.runID == run.runID })
            && !updated.contains(where: { $0.runID == run.runID })
        {
            updated.append(run)
        }
        if updated.count > 1 { updated.sort { $0.runID < $1.runID } }
        for run in updated {
            let key = keys.run(job.tenant, job.name, runID: run.runID)
            if let revision = runRevisions[run.runID] {
                compares.append(.modRevision(key, .equal, revision))
            }
            try put(key, run)
        }
        // A run's pointer is written when it is assigned (in the Txn's batch for an
        // executor that reads batches), and written again (touched) when the leader asks
        // its executor to stop it: the executor watches only its pointers.
        for run in assigned {
            guard let (key, bytes) = handedOff(run.runID) else { continue }
            var handoff = Etcron_V1_AssignedRun()
            handoff.key = key
            handoff.run = bytes
            handoffs.append(Handoff(executor: run.assignedTo, run: handoff))
        }
        var pointed: [String] = []
        func point(_ run: Etcron_V1_Run) {
            guard handedOff(run.runID) == nil, !pointed.contains(run.runID) else { return }
            pointed.append(run.runID)
            let pointer = keys.assignments(run.assignedTo) + run.runID
            operations.append(.put(pointer, Data(keys.run(job.tenant, job.name, runID: run.runID).utf8)))
        }
        assigned.forEach(point)
        result.updatedRuns.lazy.filter { $0.stopRequested && $0.isActive && !$0.assignedTo.isEmpty }.forEach(point)
        for runID in result.deletedRuns {
            operations.append(.delete(.key(keys.run(job.tenant, job.name, runID: runID))))
        }
        operations += try DecisionPlacement.archiveWrites(result.archivedDecisions, job: job, keys: keys)
        for triggerID in result.consumedTriggers {
            operations.append(.delete(.key(keys.triggers(job.tenant, job.name) + triggerID)))
        }
        if let status = result.statusToWrite {
            operations.append(.put(keys.status(job.tenant, job.name), try status.serializedData()))
        }
    }

}
