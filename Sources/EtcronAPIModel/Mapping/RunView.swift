import EtcronCore
import EtcronProto
import Foundation

extension Components.Schemas.Run {
    /// A stored run as the contract describes it; the output tail only with `withOutput`
    /// (one run's answer, not a list).
    public init(_ run: Etcron_V1_Run, withOutput: Bool = false) {
        let scheduled = run.manual ? nil : Instants.date(seconds: run.scheduledUnix)
        let started = Instants.date(milliseconds: run.startedAtUnixMs)
        let finished = Instants.date(milliseconds: run.finishedAtUnixMs)
        var delay: Double?
        if let started {
            let origin = run.manual ? Instants.date(milliseconds: run.requestedAtUnixMs) ?? Instants.date(milliseconds: run.createdAtUnixMs) : scheduled
            delay = origin.map { max(0, started.timeIntervalSince($0)) }
        }
        let terminal = finished != nil
        self.init(
            runID: run.runID, tenant: run.tenant, job: run.job, scheduledAt: scheduled, manual: run.manual,
            note: run.note.isEmpty ? nil : run.note,
            triggeredBy: run.requestedBy.isEmpty ? nil : run.requestedBy,
            requestedAt: Instants.date(milliseconds: run.requestedAtUnixMs),
            state: .init(run.state),
            assignedTo: run.assignedTo.isEmpty ? nil : run.assignedTo,
            createdAt: Instants.date(milliseconds: run.createdAtUnixMs),
            claimedAt: Instants.date(milliseconds: run.claimedAtUnixMs),
            startedAt: started, finishedAt: finished,
            durationSeconds: started.flatMap { start in finished.map { max(0, $0.timeIntervalSince(start)) } },
            startDelaySeconds: delay,
            attempts: run.attempts,
            exitCode: terminal && run.attempts > 0 && run.httpStatus == 0 ? run.exitCode : nil,
            httpStatus: run.httpStatus == 0 ? nil : run.httpStatus,
            message: run.message.isEmpty ? nil : run.message,
            stopRequested: run.stopRequested ? true : nil,
            waitsFor: run.waitsFor.isEmpty ? nil : run.waitsFor,
            leaderToken: Instants.revision(run.leaderToken),
            decision: run.decidedAtUnixMs == 0
                ? nil
                : .init(
                    decidedAt: Date(timeIntervalSince1970: Double(run.decidedAtUnixMs) / 1000),
                    message: run.decisionMessage.isEmpty ? nil : run.decisionMessage),
            output: withOutput && !run.output.isEmpty ? String(decoding: run.output, as: UTF8.self) : nil)
    }
}

extension Components.Schemas.RunState {
    public init(_ state: Etcron_V1_RunState) {
        switch state {
        case .pending: self = .pending
        case .running: self = .running
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .timedOut: self = .timedOut
        case .stopped: self = .stopped
        case .executorLost: self = .executorLost
        case .unspecified, .UNRECOGNIZED: self = .unknown
        }
    }
}

extension Components.Schemas.Decision {
    /// A decision record as the contract describes it, with the state of the run it
    /// created when that run is still kept.
    public init(_ decision: Etcron_V1_Decision, run: Etcron_V1_Run?) {
        let kind: Components.Schemas.DecisionKind =
            switch decision.kind {
            case .invoke: .invoke
            case .skip: .skip
            case .unspecified, .UNRECOGNIZED: .unknown
            }
        self.init(
            scheduledAt: Date(timeIntervalSince1970: Double(decision.scheduledUnix)),
            decision: kind,
            reason: decision.kind == .skip ? .init(decision.reason) : nil,
            message: decision.message.isEmpty ? nil : decision.message,
            runID: decision.runID.isEmpty ? nil : decision.runID,
            runState: run.map { .init($0.state) },
            count: max(1, decision.count),
            rangeStart: decision.count > 1 ? Instants.date(seconds: decision.rangeStartUnix) : nil,
            decidedAt: Date(timeIntervalSince1970: Double(decision.decidedAtUnixMs) / 1000),
            leaderToken: String(max(1, decision.leaderToken)),
            outcome: decision.hasOutcome ? .init(decision.outcome) : nil)
    }
}

extension Components.Schemas.RunOutcome {
    /// What became of a trimmed invoke's run.
    public init(_ outcome: Etcron_V1_RunOutcome) {
        self.init(
            state: .init(outcome.state), startedAt: Instants.date(milliseconds: outcome.startedAtUnixMs),
            finishedAt: Instants.date(milliseconds: outcome.finishedAtUnixMs), attempts: outcome.attempts,
            message: outcome.message.isEmpty ? nil : outcome.message)
    }
}

extension Components.Schemas.SkipReason {
    public init(_ reason: Etcron_V1_SkipReason) {
        switch reason {
        case .concurrencyPolicy: self = .concurrencyPolicy
        case .missedDeadline: self = .missedDeadline
        case .suspended: self = .suspended
        case .error: self = .error
        case .quota: self = .quota
        case .unspecified, .UNRECOGNIZED: self = .unknown
        }
    }
}
