import EtcronProto

extension Etcron_V1_RunState {
    /// Whether a run in this state is over (it will never run again).
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .timedOut, .stopped, .executorLost: return true
        default: return false
        }
    }

    /// Whether the run counts against the failed-history limit.
    var countsAsFailure: Bool {
        isTerminal && self != .succeeded
    }
}

extension Etcron_V1_Run {
    /// Pending or running.
    public var isActive: Bool { !state.isTerminal }
}
