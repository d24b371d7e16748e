import CronSchedule
import EtcronCore
import EtcronProto
import Foundation

/// The working state of one `JobSync.sync` call, one method per rule.
struct SyncState {
    let input: SyncInput
    let nowUnix: Int64
    let nowMs: Int64
    var runs: [String: Etcron_V1_Run]
    var changed: Set<String> = []
    var result = SyncResult()
    var status: Etcron_V1_JobStatus

    init(_ input: SyncInput) {
        self.input = input
        nowMs = Int64((input.now.timeIntervalSince1970 * 1000).rounded(.down))
        nowUnix = Int64(input.now.timeIntervalSince1970.rounded(.down))
        runs = Dictionary(input.runs.map { ($0.runID, $0) }, uniquingKeysWith: { first, _ in first })
        status = (input.status ?? Etcron_V1_JobStatus()).reconciled(with: input.runs)
    }

    var spec: SchedulingSpec { input.spec }
    var job: JobID { input.job }
    var deadline: Int64 { spec.startingDeadlineSeconds }
    var maxAttempts: Int32 { max(0, spec.maxRetries) + 1 }

    /// The first scheduled time not yet decided is after this instant: the status cursor
    /// (advanced past the scheduled runs newer than the stored status), but never before
    /// the job's creation. (A job deleted and created again under the same name finds its
    /// predecessor's status; the times in between were no job's.)
    var cursor: Int64 {
        // Neither before the job existed nor before its current schedule took effect.
        let since = max(spec.createdAtUnixMs, spec.scheduleSinceUnixMs)
        let created = since > 0 ? since / 1000 : nil
        if status.decidedThroughUnix > 0 { return max(status.decidedThroughUnix, created ?? 0) }
        return created ?? nowUnix - 1
    }

    mutating func update(_ run: Etcron_V1_Run) {
        runs[run.runID] = run
        changed.insert(run.runID)
    }

    // MARK: - Runs whose executor is gone, runs never started in time

    /// Whether the executor that claimed `run` still holds the session it claimed it with.
    func executorAlive(_ run: Etcron_V1_Run) -> Bool {
        guard input.liveMembers.contains(run.assignedTo) else { return false }
        if run.executorLease != 0, let lease = input.memberLeases[run.assignedTo], lease != run.executorLease {
            return false
        }
        return true
    }

    mutating func handleLostExecutorsAndDeadlines() {
        for var run in runs.values.sorted(by: { $0.runID < $1.runID }) where run.isActive {
            var touched = false
            let executor = run.assignedTo
            let lease = run.executorLease
            if run.state == .running, !executorAlive(run) {
                if run.attempts < maxAttempts, !run.stopRequested {
                    touched = run.applies(.retryAfterLostExecutor(
                        message: "executor \(executor) (lease \(lease)) lost during attempt \(run.attempts); retrying"))
                } else {
                    touched = run.applies(.loseExecutor(
                        atUnixMs: nowMs, message: "executor \(executor) (lease \(lease)) lost during attempt \(run.attempts) of \(maxAttempts)"))
                }
            } else if run.state == .pending, !executor.isEmpty, !input.liveMembers.contains(executor) {
                if run.stopRequested {
                    // Asked to stop (Replace) before it started: not handed to another executor.
                    endUnstarted(&run, "\(run.message); stopped before it started (executor \(executor) was lost)")
                    continue
                }
                touched = run.applies(.unassign(message: "executor \(executor) lost before starting the run; reassigning"))
            }
            if run.state == .pending, run.startedAtUnixMs == 0, !run.manual, deadline > 0,
                nowUnix - run.scheduledUnix > deadline
            {
                touched = run.applies(.missDeadline(
                    atUnixMs: nowMs, message: "missedDeadline: not started within the starting deadline of \(deadline) s")) || touched
            }
            if touched { update(run) }
        }
    }

    // MARK: - Scheduled times

    mutating func decideScheduledTimes() {
        let lower = cursor
        guard nowUnix > lower else { return }
        let after = CronInstant(secondsSinceEpoch: lower)
        let upper = CronInstant(secondsSinceEpoch: nowUnix)
        let due = input.schedule.count(after: after, atOrBefore: upper)
        guard due > 0,
            let latest = input.schedule.mostRecent(atOrBefore: upper, notBefore: after.adding(seconds: 1)),
            let first = input.schedule.next(after: after)
        else { return }
        if spec.suspend {
            record(skip(latest.secondsSinceEpoch, .suspended, "the job is suspended", rangeStart: first.secondsSinceEpoch, count: due))
        } else {
            if due > 1, let lastMissed = input.schedule.previous(before: latest) {
                record(skip(
                    lastMissed.secondsSinceEpoch, .missedDeadline,
                    "\(due - 1) scheduled time(s) from \(Self.format(first)) to \(Self.format(lastMissed)) passed without a decision "
                        + "(no leader); catch-up runs only the most recent",
                    rangeStart: first.secondsSinceEpoch, count: due - 1))
            }
            decide(latest.secondsSinceEpoch)
        }
        status.decidedThroughUnix = latest.secondsSinceEpoch
        status.specRevision = input.specRevision
        result.status = status
    }

    /// Invoke or skip the most recent due time.
    mutating func decide(_ scheduled: Int64) {
        let lateness = nowUnix - scheduled
        if deadline > 0, lateness > deadline {
            record(skip(scheduled, .missedDeadline, "decided \(lateness) s after its time, past the starting deadline of \(deadline) s"))
            return
        }
        if let refusal = input.targetRefusal {
            record(skip(scheduled, .error, refusal))
            return
        }
        if let quota = input.tenantRunQuota, input.tenantActiveRuns >= quota {
            record(skip(scheduled, .quota, "tenant \(job.tenant) has \(input.tenantActiveRuns) active runs, its quota is \(quota)"))
            return
        }
        let active = runs.values.filter(\.isActive).sorted { $0.runID < $1.runID }
        var waitsFor: [String] = []
        switch spec.concurrencyPolicy {
        case .forbid where !active.isEmpty:
            let blocking = active[0]
            record(skip(scheduled, .concurrencyPolicy,
                "Forbid: run \(blocking.runID) is still \(blocking.state == .running ? "running" : "pending")"
                    + (active.count > 1 ? " (and \(active.count - 1) more)" : "")))
            return
        case .replace:
            let runID = RunID.scheduled(tenant: job.tenant, job: job.name, scheduledUnix: scheduled)
            for var run in active {
                // Not handed to an executor yet (waiting itself, or no executor): it ends
                // here and never starts, so nothing waits for it.
                if run.state == .pending, run.assignedTo.isEmpty {
                    endUnstarted(&run, "Replace: replaced by run \(runID) before \(run.startedAtUnixMs == 0 ? "it started" : "its retry started")")
                    continue
                }
                waitsFor.append(run.runID)
                if !run.stopRequested, run.applies(.requestStop(message: "Replace: stop requested for run \(runID)")) {
                    update(run)
                }
            }
        default:
            break
        }
        var run = newRun(scheduled: scheduled)
        run.waitsFor = waitsFor
        let decision = Etcron_V1_Decision.invoke(
            scheduledUnix: scheduled, runID: run.runID, decidedAtUnixMs: nowMs, leaderToken: input.leaderToken,
            message: waitsFor.isEmpty ? "" : "Replace: starts after \(waitsFor.joined(separator: ", ")) stopped")
        // The run is the decision's record until it is trimmed (then the log is).
        run.hold(decision)
        result.newRuns.append(run)
        runs[run.runID] = run
        record(decision)
    }

    func newRun(scheduled: Int64, manual: Bool = false, runID: String? = nil) -> Etcron_V1_Run {
        Etcron_V1_Run(
            runID: runID ?? RunID.scheduled(tenant: job.tenant, job: job.name, scheduledUnix: scheduled), tenant: job.tenant,
            job: job.name, scheduledUnix: scheduled, manual: manual, createdAtUnixMs: nowMs, leaderToken: input.leaderToken)
    }

    func skip(_ scheduled: Int64, _ reason: Etcron_V1_SkipReason, _ message: String, rangeStart: Int64? = nil, count: Int = 1) -> Etcron_V1_Decision {
        .skip(
            scheduledUnix: scheduled, reason: reason, message: message, decidedAtUnixMs: nowMs, leaderToken: input.leaderToken,
            rangeStart: rangeStart, count: Int64(count))
    }

    mutating func record(_ decision: Etcron_V1_Decision) {
        result.decisions.append(decision)
        if decision.kind == .invoke {
            status.invocations += 1
            status.lastInvokedUnix = decision.scheduledUnix
        } else {
            status.skips += decision.count
        }
    }

    static func format(_ instant: CronInstant) -> String {
        Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch)).formatted(.iso8601)
    }

    // MARK: - Manual triggers

    mutating func startManualTriggers() {
        for trigger in input.triggers.sorted(by: { $0.id < $1.id }) {
            let runID = RunID.manual(tenant: job.tenant, job: job.name, triggerID: trigger.id)
            result.consumedTriggers.append(trigger.id)
            guard runs[runID] == nil else { continue }
            var run = newRun(scheduled: trigger.request.requestedAtUnixMs / 1000, manual: true, runID: runID)
            run.note = trigger.request.note
            run.requestedBy = trigger.request.requestedBy
            run.requestedAtUnixMs = trigger.request.requestedAtUnixMs
            if let refusal = input.targetRefusal {
                // Never assigned: it ends at once, saying why.
                run.state = .failed
                run.message = refusal
                run.finishedAtUnixMs = Int64((input.now.timeIntervalSince1970 * 1000).rounded(.down))
            }
            result.newRuns.append(run)
            runs[runID] = run
        }
    }

    // MARK: - Assignment, history, wake-up

    mutating func collectAssignable() {
        // Sorted only among the candidates (usually the one run just created), not all runs.
        var waiting = runs.values.filter { $0.state == .pending && $0.assignedTo.isEmpty }
        if waiting.count > 1 { waiting.sort { $0.runID < $1.runID } }
        for run in waiting {
            let blocked = run.waitsFor.contains { runs[$0]?.isActive == true }
            if !blocked { result.assignable.append(run.runID) }
        }
        // Nothing changed (a plain invoke): no run updated, and the new runs are as made.
        guard !changed.isEmpty else { return }
        let created = Set(result.newRuns.map(\.runID))
        result.updatedRuns = changed.subtracting(created).sorted().compactMap { runs[$0] }
        // New runs may have been updated after creation (none today); keep their latest form.
        result.newRuns = result.newRuns.map { runs[$0.runID] ?? $0 }
    }

    /// Ends a pending run that no executor holds as stopped: it never starts.
    mutating func endUnstarted(_ run: inout Etcron_V1_Run, _ message: String) {
        if run.applies(.endUnstarted(.stopped, atUnixMs: nowMs, message: message)) { update(run) }
    }

    mutating func trimHistory() {
        let finished = runs.values.filter { $0.state.isTerminal }
            .sorted { ($0.finishedAtUnixMs, $0.runID) > ($1.finishedAtUnixMs, $1.runID) }
        let succeeded = finished.filter { $0.state == .succeeded }
        let failed = finished.filter { $0.state.countsAsFailure }
        let doomed = succeeded.dropFirst(spec.keepSucceeded) + failed.dropFirst(spec.keepFailed)
        result.deletedRuns = doomed.map(\.runID).sorted()
        guard !result.deletedRuns.isEmpty else { return }
        let deleted = Set(result.deletedRuns)
        result.updatedRuns.removeAll { deleted.contains($0.runID) }
        // A trimmed run's decision moves to the log, and the status, which the runs no
        // longer carry, is written with it.
        result.archivedDecisions = doomed.compactMap(\.archivedDecision).sorted { $0.scheduledUnix < $1.scheduledUnix }
        if result.status == nil { result.status = status }
    }

    mutating func planNextWake() {
        var wake: Int64?
        let from = max(nowUnix, result.status?.decidedThroughUnix ?? cursor)
        if let next = input.schedule.next(after: CronInstant(secondsSinceEpoch: from)) {
            wake = next.secondsSinceEpoch
        }
        if deadline > 0 {
            for run in runs.values where run.state == .pending && run.startedAtUnixMs == 0 && !run.manual {
                let expiry = run.scheduledUnix + deadline + 1
                wake = min(wake ?? expiry, expiry)
            }
        }
        result.nextWake = wake.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }
}

extension Etcron_V1_Run {
    /// Applies `transition` if the run's state allows it; `sync` only asks for transitions
    /// its own checks allow, so a refusal means a stale or corrupt record, left unchanged.
    mutating func applies(_ transition: RunTransition) -> Bool {
        do {
            try apply(transition)
            return true
        } catch {
            return false
        }
    }
}
