import EtcronProto

/// The audit of one job over a window of scheduled times `(from, to]`, from its stored
/// records (pure: the caller reads them). Checks that every scheduled time, by the
/// schedule in force at that time (``ScheduleEra``), has exactly one decision (a range
/// skip counts for each time it covers) and every skip a reason; that no scheduled time
/// started two runs; that every invoke's run finished or still runs; and measures each
/// run's start delay. Times after the leader's cursor (`decidedThrough`) are not due for a
/// decision yet and are counted apart, not as gaps.
public struct JobAudit: Sendable {
    public var job: JobID
    /// Scheduled times checked.
    public var timesChecked = 0
    /// Scheduled times in the window the leader has not decided yet.
    public var undecided = 0
    public var invokes = 0
    /// Skipped times by reason (`concurrencyPolicy`, `missedDeadline`, ...).
    public var skips: [String: Int] = [:]
    /// Invokes whose run still runs.
    public var running = 0
    /// Invokes whose outcome is no longer recorded (trimmed before outcomes were kept).
    public var unknownOutcome = 0
    /// Start delays of the runs that started, in milliseconds.
    public var startDelaysMs: [Int64] = []
    public var findings: [AuditFinding] = []

    /// How long a run may stay pending after its scheduled time before it counts as
    /// unfinished.
    public static let pendingGraceSeconds: Int64 = 600

    /// Audits the decisions and runs of `spec`'s job with scheduled times in `(from, to]`.
    /// - Parameters:
    ///   - decisions: the job's decisions whose times (or ranges) reach into the window.
    ///   - runs: the job's kept scheduled runs (manual ones are ignored).
    ///   - decidedThrough: the leader's cursor (its status), 0 when it decided nothing.
    ///   - sloMs: the start-delay objective; slower starts are findings.
    public init(
        spec: Etcron_V1_JobSpec, decisions: [Etcron_V1_Decision], runs: [Etcron_V1_Run], from: Int64, to: Int64,
        decidedThrough: Int64, now: Int64, sloMs: Int64
    ) {
        job = JobID(tenant: spec.tenant, name: spec.name)
        let name = job.description
        let eras = ScheduleEra.of(spec)
        let decidedEnd = min(to, decidedThrough)
        var expected: Set<Int64> = []
        for era in eras {
            expected.formUnion(era.times(after: from, through: decidedEnd))
            undecided += era.times(after: max(from, decidedEnd), through: to).count
        }
        timesChecked = expected.count

        // The times in the window each decision covers (expanded once), and which
        // decisions cover which times.
        let windowed = decisions.filter { $0.count > 0 }.map { decision in
            (decision, Self.times(of: decision, eras: eras).filter { $0 > from && $0 <= to })
        }
        var covering: [Int64: [Etcron_V1_Decision]] = [:]
        for (decision, times) in windowed {
            for time in times { covering[time, default: []].append(decision) }
        }
        let runsByID = Dictionary(runs.filter { !$0.manual }.map { ($0.runID, $0) }, uniquingKeysWith: { first, _ in first })
        for time in expected.sorted() {
            guard let found = covering[time] else {
                findings.append(AuditFinding(kind: .gap, job: name, scheduledUnix: time, detail: "no decision for this scheduled time"))
                continue
            }
            if found.count > 1 {
                findings.append(AuditFinding(
                    kind: .duplicate, job: name, scheduledUnix: time,
                    detail: "\(found.count) decisions: " + found.map(Self.describe).joined(separator: "; "),
                    records: found.map { $0.runID.isEmpty ? "decision@\($0.decidedAtUnixMs)" : $0.runID }))
            }
        }
        for (time, found) in covering where !expected.contains(time) && time <= decidedEnd {
            findings.append(AuditFinding(
                kind: .unexpected, job: name, scheduledUnix: time,
                detail: "the schedule in force did not fire at this time: " + found.map(Self.describe).joined(separator: "; ")))
        }

        // What each decision did.
        for (decision, inWindow) in windowed where !inWindow.isEmpty {
            switch decision.kind {
            case .skip:
                let reason = Self.reason(decision.reason)
                skips[reason, default: 0] += inWindow.count
                if decision.reason == .unspecified {
                    findings.append(AuditFinding(
                        kind: .skipWithoutReason, job: name, scheduledUnix: decision.scheduledUnix, detail: Self.describe(decision)))
                }
            case .invoke:
                invokes += 1
                audit(invoke: decision, run: runsByID[decision.runID], now: now, sloMs: sloMs)
            default:
                continue
            }
        }

        // Runs of one scheduled time: more than one that started is a double start.
        let started = runs.filter { !$0.manual && $0.startedAtUnixMs > 0 && $0.scheduledUnix > from && $0.scheduledUnix <= to }
        for (time, group) in Dictionary(grouping: started, by: \.scheduledUnix) where group.count > 1 {
            findings.append(AuditFinding(
                kind: .startedTwice, job: name, scheduledUnix: time,
                detail: "\(group.count) runs started for this scheduled time", records: group.map(\.runID).sorted()))
        }
        findings.sort { ($0.scheduledUnix, $0.kind.rawValue) < ($1.scheduledUnix, $1.kind.rawValue) }
    }

    private mutating func audit(invoke decision: Etcron_V1_Decision, run: Etcron_V1_Run?, now: Int64, sloMs: Int64) {
        let name = job.description
        let time = decision.scheduledUnix
        var state: Etcron_V1_RunState
        var startedMs: Int64
        var attempts: Int32
        var message: String
        if let run {
            (state, startedMs, attempts, message) = (run.state, run.startedAtUnixMs, run.attempts, run.message)
        } else if decision.hasOutcome {
            let outcome = decision.outcome
            (state, startedMs, attempts, message) = (outcome.state, outcome.startedAtUnixMs, outcome.attempts, outcome.message)
        } else {
            unknownOutcome += 1
            return
        }
        if startedMs > 0 {
            let delay = max(0, startedMs - time * 1000)
            startDelaysMs.append(delay)
            if delay > sloMs {
                findings.append(AuditFinding(
                    kind: .lateStart, job: name, scheduledUnix: time,
                    detail: "started \(delay) ms after its scheduled time (objective \(sloMs) ms)", records: [decision.runID]))
            }
        }
        switch state {
        case .running:
            running += 1
        case .pending where time + Self.pendingGraceSeconds < now, .unspecified where time + Self.pendingGraceSeconds < now:
            findings.append(AuditFinding(
                kind: .unfinished, job: name, scheduledUnix: time,
                detail: "run \(decision.runID) is still \(state == .pending ? "pending" : "in no state") \(now - time) s after its time",
                records: [decision.runID]))
        case .executorLost:
            findings.append(AuditFinding(
                kind: .executorLost, job: name, scheduledUnix: time,
                detail: "lost with its executor after \(attempts) attempt(s); no attempt was left, so the retry policy ended it"
                    + (message.isEmpty ? "" : ": \(message)"),
                records: [decision.runID]))
        default:
            if attempts > 1, message.lowercased().contains("executor") {
                findings.append(AuditFinding(
                    kind: .executorLost, job: name, scheduledUnix: time,
                    detail: "its executor was lost; the retry policy ran it again, and it ended \(Self.stateName(state)) after \(attempts) attempts",
                    records: [decision.runID]))
            }
        }
    }

    /// The scheduled times a decision covers: its own, or for a range the schedule's times
    /// from its start through it (by the era its last time belongs to).
    static func times(of decision: Etcron_V1_Decision, eras: [ScheduleEra]) -> [Int64] {
        guard decision.count > 1 else { return [decision.scheduledUnix] }
        let era = eras.last { $0.after < decision.scheduledUnix && decision.scheduledUnix <= $0.through } ?? eras.last
        guard let era else { return [decision.scheduledUnix] }
        let times = era.times(after: decision.rangeStartUnix - 1, through: decision.scheduledUnix)
        return times.isEmpty ? [decision.scheduledUnix] : Array(times.prefix(Int(decision.count)))
    }

    static func describe(_ decision: Etcron_V1_Decision) -> String {
        let kind = decision.kind == .invoke ? "invoke \(decision.runID)" : "skip (\(reason(decision.reason)))"
        return "\(kind) decided at \(decision.decidedAtUnixMs) ms by leader token \(decision.leaderToken)"
    }

    static func reason(_ reason: Etcron_V1_SkipReason) -> String {
        switch reason {
        case .concurrencyPolicy: return "concurrencyPolicy"
        case .missedDeadline: return "missedDeadline"
        case .suspended: return "suspended"
        case .error: return "error"
        case .quota: return "quota"
        default: return "none"
        }
    }

    static func stateName(_ state: Etcron_V1_RunState) -> String {
        switch state {
        case .succeeded: return "succeeded"
        case .failed: return "failed"
        case .timedOut: return "timed out"
        case .stopped: return "stopped"
        case .executorLost: return "lost with its executor"
        case .running: return "running"
        case .pending: return "pending"
        default: return "in no state"
        }
    }
}
