import EtcronCore
import EtcronProto

extension Etcron_V1_Run {
    /// What the leader keeps of a run. A finished run is only ever counted against the
    /// history limits and deleted (its decision archived), never written back, so its
    /// output (up to 64 KiB), message and note stay in etcd; an active run is kept whole, since the leader may
    /// write it back (stop requested, executor lost, reassigned).
    var indexed: Etcron_V1_Run {
        guard state.isTerminal else { return self }
        var kept = Etcron_V1_Run()
        kept.runID = runID
        kept.state = state
        kept.scheduledUnix = scheduledUnix
        kept.manual = manual
        kept.createdAtUnixMs = createdAtUnixMs
        kept.finishedAtUnixMs = finishedAtUnixMs
        // Moved to the decision log when the run is trimmed.
        kept.decidedAtUnixMs = decidedAtUnixMs
        kept.decisionMessage = decisionMessage
        kept.leaderToken = leaderToken
        return kept
    }
}
