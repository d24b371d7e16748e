import EtcronProto

extension Etcron_V1_Run {
    /// The invoke decision this scheduled run holds while it is kept; nil for a manual run
    /// (and for a run made before runs held their decisions, whose decision is in the log).
    public var heldDecision: Etcron_V1_Decision? {
        guard holdsDecision else { return nil }
        var decision = Etcron_V1_Decision()
        decision.scheduledUnix = scheduledUnix
        decision.kind = .invoke
        decision.runID = runID
        decision.decidedAtUnixMs = decidedAtUnixMs
        decision.leaderToken = leaderToken
        decision.count = 1
        decision.rangeStartUnix = scheduledUnix
        decision.message = decisionMessage
        return decision
    }

    /// Whether this run holds the invoke decision that created it.
    public var holdsDecision: Bool { decidedAtUnixMs != 0 && !manual }

    /// Makes this run hold `decision`, the invoke that created it (same time, ID and leader
    /// token): only what the run does not already say is stored.
    mutating func hold(_ decision: Etcron_V1_Decision) {
        decidedAtUnixMs = decision.decidedAtUnixMs
        decisionMessage = decision.message
    }
}
