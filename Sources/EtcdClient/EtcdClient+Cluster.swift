import EtcdProto

/// A member of the etcd cluster.
public struct EtcdMember: Sendable, Hashable {
    /// The member ID.
    public var id: UInt64
    /// Its name.
    public var name: String
    /// URLs its peers use.
    public var peerURLs: [String]
    /// URLs clients use.
    public var clientURLs: [String]
    /// Whether it is a non-voting learner.
    public var isLearner: Bool
}

/// The status of the member that answered.
public struct EtcdStatus: Sendable, Hashable {
    /// The response header (its member ID is the member that answered).
    public var header: ResponseHeader
    /// etcd's version.
    public var version: String
    /// Database size in bytes.
    public var dbSize: Int64
    /// The member ID of the raft leader (0 when there is none).
    public var leader: UInt64
    /// The raft index.
    public var raftIndex: UInt64
    /// The raft term.
    public var raftTerm: UInt64
    /// Alarms and errors the member reports.
    public var errors: [String]
}

extension EtcdClient {
    /// The cluster's members.
    public func memberList() async throws(EtcdError) -> [EtcdMember] {
        let response: Etcdserverpb_MemberListResponse = try await call(.memberList, Etcdserverpb_MemberListRequest())
        return response.members.map {
            EtcdMember(id: $0.id, name: $0.name, peerURLs: $0.peerUrls, clientURLs: $0.clientUrls, isLearner: $0.isLearner)
        }
    }

    /// The status of whichever member answers.
    public func status() async throws(EtcdError) -> EtcdStatus {
        let response: Etcdserverpb_StatusResponse = try await call(.status, Etcdserverpb_StatusRequest())
        return EtcdStatus(
            header: ResponseHeader(response.header), version: response.version, dbSize: response.dbSize,
            leader: response.leader, raftIndex: response.raftIndex, raftTerm: response.raftTerm, errors: response.errors)
    }
}
