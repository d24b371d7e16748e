import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// Where a decision lives in etcd, and when the job's status is written: the one place of
/// the rule that keeps "exactly one decision record per (job, scheduled time)" true at
/// every revision, for the leader that writes and for every reader.
///
/// - A skip (and an `error` record) goes to the decision log
///   (`<prefix>decisions/<tenant>/<name>/<time>`) when it is made, created only if absent
///   and only if its time has no run; the status is written with it.
/// - An invoke is held by the run it creates (`decided_at_unix_ms`, `decision_message`,
///   with the run's ID, time and leader token: the whole record), created only if absent.
///   The status is not written for invokes alone: one write per decision at the top of the
///   hour instead of two. ``Etcron_V1_JobStatus/reconciled(with:)`` recovers the cursor.
/// - When a run is trimmed (history limits), its decision moves to the log in the same
///   transaction, and the status, which the runs no longer carry, is written with it.
/// - Readers merge both places (``merge(log:runs:)``).
public enum DecisionPlacement {
    /// The status to store with a sync's writes: nil when it only invokes (the new runs
    /// carry their decisions), else `status`.
    public static func statusToWrite(
        _ status: Etcron_V1_JobStatus?, decisions: [Etcron_V1_Decision], trimsRuns: Bool
    ) -> Etcron_V1_JobStatus? {
        guard let status else { return nil }
        let carriedByRuns = !trimsRuns && !decisions.isEmpty && decisions.allSatisfy { $0.kind == .invoke }
        return carriedByRuns ? nil : status
    }

    /// The compares and writes that put `decisions` where they live (the log, for every
    /// kind but invoke, whose run is written by the caller) for `job`: created only if
    /// absent, and, except `error` records, only if their time has no run. (That an
    /// invoke's time has no skip in the log follows from the cursor: the status is stored
    /// with every skip.)
    public static func logWrites(
        _ decisions: [Etcron_V1_Decision], job: JobID, keys: JobKeys
    ) throws -> (compares: [Compare], operations: [TxnOperation]) {
        var compares: [Compare] = []
        var operations: [TxnOperation] = []
        for decision in decisions where decision.kind != .invoke {
            let key = keys.decision(job.tenant, job.name, scheduledUnix: decision.scheduledUnix)
            compares.append(.createRevision(key, .equal, 0))
            if decision.reason != .error {
                let runID = RunID.scheduled(tenant: job.tenant, job: job.name, scheduledUnix: decision.scheduledUnix)
                compares.append(.createRevision(keys.run(job.tenant, job.name, runID: runID), .equal, 0))
            }
            operations.append(.put(key, try decision.serializedData()))
        }
        return (compares, operations)
    }

    /// The writes that move trimmed runs' decisions to the log: the same records, so a
    /// put (never two of a time).
    public static func archiveWrites(_ decisions: [Etcron_V1_Decision], job: JobID, keys: JobKeys) throws -> [TxnOperation] {
        try decisions.map { .put(keys.decision(job.tenant, job.name, scheduledUnix: $0.scheduledUnix), try $0.serializedData()) }
    }

    /// Every decision `log` and `runs` hold, newest scheduled time first. Two records of
    /// one time are both kept: they would break "exactly one decision per time", and
    /// whoever audits must see them.
    public static func merge(log: [JobRecord<Etcron_V1_Decision>], runs: [JobRecord<Etcron_V1_Run>]) -> [JobRecord<Etcron_V1_Decision>] {
        let held = runs.compactMap { run in
            run.value.heldDecision.map { JobRecord(key: run.key, value: $0, modRevision: run.modRevision) }
        }
        return (log + held).sorted { ($0.value.scheduledUnix, $0.key) > ($1.value.scheduledUnix, $1.key) }
    }

    /// Every decision `log` and `runs` hold, oldest scheduled time first.
    public static func merge(log: [Etcron_V1_Decision], runs: [Etcron_V1_Run]) -> [Etcron_V1_Decision] {
        (log + runs.compactMap(\.heldDecision)).sorted { $0.scheduledUnix < $1.scheduledUnix }
    }
}

extension Etcron_V1_Run {
    /// Whether this run holds the invoke decision that created it.
    public var holdsDecision: Bool { decidedAtUnixMs != 0 && !manual }

    /// The invoke decision this scheduled run holds while it is kept; nil for a manual run
    /// (and for a run made before runs held their decisions, whose decision is in the log).
    public var heldDecision: Etcron_V1_Decision? {
        guard holdsDecision else { return nil }
        return .invoke(
            scheduledUnix: scheduledUnix, runID: runID, decidedAtUnixMs: decidedAtUnixMs, leaderToken: leaderToken,
            message: decisionMessage)
    }

    /// The decision this run holds with what became of the run, as the log keeps it once
    /// the run is trimmed.
    public var archivedDecision: Etcron_V1_Decision? {
        guard var decision = heldDecision else { return nil }
        var outcome = Etcron_V1_RunOutcome()
        outcome.state = state
        outcome.startedAtUnixMs = startedAtUnixMs
        outcome.finishedAtUnixMs = finishedAtUnixMs
        outcome.attempts = attempts
        outcome.message = String(message.prefix(256))
        decision.outcome = outcome
        return decision
    }

    /// Makes this run hold `decision`, the invoke that created it (same time, ID and leader
    /// token): only what the run does not already say is stored.
    public mutating func hold(_ decision: Etcron_V1_Decision) {
        decidedAtUnixMs = decision.decidedAtUnixMs
        decisionMessage = decision.message
    }
}

extension Etcron_V1_JobStatus {
    /// This status advanced past the scheduled runs newer than it.
    ///
    /// The leader does not store the status for an invoke alone: the run it creates carries
    /// the decision. So a status read from etcd may lag the runs read with it, and every
    /// scheduled run after its cursor is an invoke it does not count yet. The status is
    /// stored whenever runs are trimmed, so no run it depends on is ever gone.
    public func reconciled(with runs: some Sequence<Etcron_V1_Run>) -> Etcron_V1_JobStatus {
        var status = self
        for run in runs where run.holdsDecision && run.scheduledUnix > decidedThroughUnix {
            status.decidedThroughUnix = max(status.decidedThroughUnix, run.scheduledUnix)
            status.lastInvokedUnix = max(status.lastInvokedUnix, run.scheduledUnix)
            status.invocations += 1
        }
        return status
    }
}
