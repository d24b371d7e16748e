import EtcronProto

extension Etcron_V1_JobSpec {
    /// Only what `JobSync.sync` reads (the schedule itself is kept compiled): the leader
    /// holds every job in memory, so the target, labels, description and owner (often
    /// the bulk of a spec) stay in etcd, where the executor reads them at claim time.
    var schedulingFields: Etcron_V1_JobSpec {
        var kept = Etcron_V1_JobSpec()
        kept.tenant = tenant
        kept.name = name
        kept.concurrencyPolicy = concurrencyPolicy
        kept.startingDeadlineSeconds = startingDeadlineSeconds
        kept.suspend = suspend
        if hasRetry { kept.retry = retry }
        if hasHistory { kept.history = history }
        kept.createdAtUnixMs = createdAtUnixMs
        kept.scheduleSinceUnixMs = scheduleSinceUnixMs
        return kept
    }
}
