import EtcronCore

extension Components.Schemas.ClusterStatus {
    /// The contract's view of the replica group.
    public init(_ status: ClusterStatus) {
        let leader = status.leader.map {
            Components.Schemas.Leader(
                replicaID: $0.replicaID, address: $0.address, fencingToken: String($0.fencingToken), termStartedAt: $0.termStartedAt,
                lastHeartbeatAt: $0.lastHeartbeatAt)
        }
        let members = status.members.map {
            Components.Schemas.Member(
                replicaID: $0.replicaID, role: .init(rawValue: $0.role) ?? .unknown, version: $0.version, address: $0.address,
                startedAt: $0.startedAt, lastHeartbeatAt: $0.lastHeartbeatAt, leaseID: String($0.leaseID))
        }
        let terms = status.recentTerms.map {
            Components.Schemas.LeaderTerm(replicaID: $0.replicaID, fencingToken: String(max(1, $0.fencingToken)), startedAt: $0.startedAt)
        }
        self.init(leader: leader, members: members, revision: String(max(1, status.revision)), recentLeaders: terms.isEmpty ? nil : terms)
    }
}
