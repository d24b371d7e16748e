import EtcronProto

/// The terminal result of a run (or of one attempt).
public enum RunResult: String, Sendable, Hashable, CaseIterable {
    /// The target did what it should: exit status 0, or an expected HTTP status.
    case succeeded
    /// The target ran and failed, or could not be started at all.
    case failed
    /// The attempt took longer than its timeout and was ended.
    case timedOut = "timed_out"
    /// The run was stopped on request (Replace policy, `stop()`, task cancellation).
    case stopped

    /// The run record's state for this result.
    public var runState: Etcron_V1_RunState {
        switch self {
        case .succeeded: .succeeded
        case .failed: .failed
        case .timedOut: .timedOut
        case .stopped: .stopped
        }
    }
}

/// A change in a run's life. Every change of a run's state, executor or attempts, by the
/// leader or by an executor, is one of these, applied with
/// `Etcron_V1_Run.apply(_:)`, which refuses the ones its state does not allow:
///
/// ```
///            assign               claim                 finish
/// pending ──────────▶ pending@E ─────────▶ running@E ─────────▶ succeeded | failed | timedOut | stopped
///  │  ▲                  │                   │  │  (start, attempt: while running)
///  │  └──── unassign ────┘                   │  ├─ executor lost, attempts left ─▶ pending (retried)
///  │                                         │  └─ executor lost, none left ─────▶ executorLost
///  ├─ missDeadline (never started) ─▶ failed
///  └─ endUnstarted (Replace, stop requested, spec gone) ─▶ stopped | failed
/// requestStop: any active run (pending or running) is asked to stop (Replace).
/// ```
public enum RunTransition: Sendable, Hashable {
    /// The leader hands a pending run to executor `executor`.
    case assign(executor: String)
    /// The executor of a pending run is gone before it started it.
    case unassign(message: String)
    /// Executor `executor` (session lease `lease`) claims the pending run assigned to it; the
    /// attempt counts from here, since the target may start any moment.
    case claim(executor: String, lease: Int64, atUnixMs: Int64)
    /// The target's first start (start delay ends here); kept if already set.
    case start(atUnixMs: Int64)
    /// The run's attempts so far (earlier executors' included).
    case attempt(Int32)
    /// The leader asks an active run to stop (Replace policy).
    case requestStop(message: String)
    /// The running run's executor lost its session and attempts remain: run it again.
    case retryAfterLostExecutor(message: String)
    /// The running run's executor lost its session and no attempt remains.
    case loseExecutor(atUnixMs: Int64, message: String)
    /// A pending run not started within the starting deadline.
    case missDeadline(atUnixMs: Int64, message: String)
    /// A pending run ends without ever starting (`stopped` or `failed`).
    case endUnstarted(RunResult, atUnixMs: Int64, message: String)
    /// The running run reached its result.
    case finish(RunResult, atUnixMs: Int64)

    /// The transition's name, for messages.
    public var name: String {
        switch self {
        case .assign: "assign"
        case .unassign: "unassign"
        case .claim: "claim"
        case .start: "start"
        case .attempt: "attempt"
        case .requestStop: "requestStop"
        case .retryAfterLostExecutor: "retryAfterLostExecutor"
        case .loseExecutor: "loseExecutor"
        case .missDeadline: "missDeadline"
        case .endUnstarted: "endUnstarted"
        case .finish: "finish"
        }
    }
}

/// A transition the run's state does not allow (a stale view, or a bug): nothing changed.
public struct IllegalRunTransition: Error, Sendable, Hashable, CustomStringConvertible {
    /// The run.
    public var runID: String
    /// Its state.
    public var state: Etcron_V1_RunState
    /// The refused transition.
    public var transition: String
    /// Why.
    public var reason: String

    public var description: String { "run \(runID): \(transition) is not allowed: \(reason) (state \(state))" }
}

extension Etcron_V1_RunState {
    /// Whether a run in this state is over (it will never run again).
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .timedOut, .stopped, .executorLost: return true
        default: return false
        }
    }

    /// Whether the run counts against the failed-history limit.
    public var countsAsFailure: Bool {
        isTerminal && self != .succeeded
    }
}

extension Etcron_V1_Run {
    /// Pending or running.
    public var isActive: Bool { !state.isTerminal }

    /// A new pending run, unassigned, created by the leader with token `leaderToken`.
    public init(
        runID: String, tenant: String, job: String, scheduledUnix: Int64, manual: Bool, createdAtUnixMs: Int64, leaderToken: Int64
    ) {
        self.init()
        self.runID = runID
        self.tenant = tenant
        self.job = job
        self.scheduledUnix = scheduledUnix
        self.manual = manual
        state = .pending
        self.createdAtUnixMs = createdAtUnixMs
        self.leaderToken = leaderToken
    }

    /// Applies `transition`, or refuses it (nothing changed) when the run's state does not
    /// allow it.
    public mutating func apply(_ transition: RunTransition) throws(IllegalRunTransition) {
        func refuse(_ reason: String) -> IllegalRunTransition {
            IllegalRunTransition(runID: runID, state: state, transition: transition.name, reason: reason)
        }
        switch transition {
        case .assign(let executor):
            guard state == .pending, assignedTo.isEmpty else { throw refuse("only an unassigned pending run is assigned") }
            assignedTo = executor
        case .unassign(let text):
            guard state == .pending, !assignedTo.isEmpty else { throw refuse("only an assigned pending run is unassigned") }
            assignedTo = ""
            message = text
        case .claim(let executor, let lease, let at):
            guard state == .pending, assignedTo == executor else { throw refuse("only a pending run assigned to \(executor) is claimed by it") }
            guard !stopRequested else { throw refuse("a run asked to stop is not started") }
            state = .running
            claimedAtUnixMs = at
            executorLease = lease
            attempts += 1
        case .start(let at):
            guard state == .running else { throw refuse("only a running run starts its target") }
            if startedAtUnixMs == 0 { startedAtUnixMs = at }
        case .attempt(let count):
            guard state == .running else { throw refuse("only a running run makes attempts") }
            attempts = count
        case .requestStop(let text):
            guard isActive else { throw refuse("a finished run cannot be stopped") }
            stopRequested = true
            message = text
        case .retryAfterLostExecutor(let text):
            guard state == .running else { throw refuse("only a running run loses its executor") }
            state = .pending
            assignedTo = ""
            executorLease = 0
            message = text
        case .loseExecutor(let at, let text):
            guard state == .running else { throw refuse("only a running run loses its executor") }
            state = .executorLost
            finishedAtUnixMs = at
            message = text
        case .missDeadline(let at, let text):
            guard state == .pending, startedAtUnixMs == 0 else { throw refuse("only a run never started misses its deadline") }
            state = .failed
            finishedAtUnixMs = at
            message = text
        case .endUnstarted(let result, let at, let text):
            guard state == .pending else { throw refuse("only a pending run ends unstarted") }
            guard result == .stopped || result == .failed else { throw refuse("an unstarted run ends stopped or failed") }
            state = result.runState
            finishedAtUnixMs = at
            message = text
        case .finish(let result, let at):
            guard state == .running else { throw refuse("only a running run finishes") }
            state = result.runState
            finishedAtUnixMs = at
        }
    }
}
