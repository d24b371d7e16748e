import EtcronProto

/// A job's decisions wherever etcd holds them: skips and archived invokes in the decision
/// log, and the invokes of runs still kept inside those runs (`Run.heldDecision`, moved to the
/// log when the run is trimmed).
public enum DecisionHistory {
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
