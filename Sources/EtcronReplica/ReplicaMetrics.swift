import Metrics

/// The replica's swift-metrics instruments (Prometheus names, prefix `etcron_`).
struct ReplicaMetrics: Sendable {
    /// 1 while this replica leads, else 0.
    let leader = Gauge(label: "etcron_leader")
    /// Times this replica became or stopped being the leader.
    let leaderTransitions = Counter(label: "etcron_leader_transitions_total")
    /// Seconds until the session lease expires unless renewed.
    let leaseRemaining = Gauge(label: "etcron_session_lease_ttl_remaining_seconds")
    /// Sessions lost (lease expired or revoked) since start.
    let sessionsLost = Counter(label: "etcron_sessions_lost_total")

    func leading(_ isLeader: Bool) {
        leader.record(isLeader ? 1 : 0)
        leaderTransitions.increment()
    }
}
