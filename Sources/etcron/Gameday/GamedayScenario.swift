import ArgumentParser

/// The faults `etcron gameday` injects into its local sandbox.
enum GamedayScenario: String, CaseIterable, ExpressibleByArgument, Codable {
    case killLeader = "kill-leader"
    case terminateLeader = "terminate-leader"
    case pauseLeader = "pause-leader"
    case killEtcdMember = "kill-etcd-member"
    case etcdQuorumLoss = "etcd-quorum-loss"
    case partitionReplica = "partition-replica"
    case partitionLeader = "partition-leader"
    case executorCrash = "executor-crash"
    case all

    /// What the scenario does, for the report and `--help`.
    var summary: String {
        switch self {
        case .killLeader: "SIGKILL the leading replica, restart it after the fault"
        case .terminateLeader: "SIGTERM the leading replica (it resigns), restart it"
        case .pauseLeader: "SIGSTOP the leading replica past its lease TTL, then SIGCONT"
        case .killEtcdMember: "SIGKILL one etcd member (the etcd leader), restart it"
        case .etcdQuorumLoss: "stop two of the three etcd members for a while, then restart them"
        case .partitionReplica: "cut a follower off etcd (its network namespace's link down), then heal"
        case .partitionLeader: "cut the leader off etcd (its network namespace's link down), then heal"
        case .executorCrash: "SIGKILL the replica executing a long run, restart it"
        case .all: "every scenario in turn"
        }
    }

    /// How `--server` rehearses the scenario through the API's gameday actions; nil when it
    /// needs signals, etcd members or network namespaces of its own.
    var serverAction: String? {
        switch self {
        case .killLeader, .terminateLeader: "the leader steps down (gameday action)"
        case .pauseLeader: "the leader freezes past its lease TTL (gameday action)"
        case .executorCrash: "the executor of a long run crashes (gameday action)"
        default: nil
        }
    }

    /// Whether the scenario needs the replicas in network namespaces.
    var partitions: Bool { self == .partitionReplica || self == .partitionLeader }

    /// The scenarios `self` stands for.
    var expanded: [GamedayScenario] {
        self == .all ? Self.allCases.filter { $0 != .all } : [self]
    }
}
