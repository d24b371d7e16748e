import EtcronProto

extension Etcron_V1_JobStatus {
    /// This status advanced past the scheduled runs newer than it.
    ///
    /// The leader does not store the status for an invoke alone: the run it creates carries
    /// the decision (`Run.heldDecision`). So a status read from etcd may lag the runs read with
    /// it, and every scheduled run after its cursor is an invoke it does not count yet. The
    /// status is stored whenever runs are trimmed, so no run it depends on is ever gone.
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
