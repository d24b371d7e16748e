import EtcdClient
import EtcronProto
import Foundation
import SwiftProtobuf

/// The replica group as etcd records it: who leads with which fencing token, and every
/// live member. Read by `etcron status` and the HTTP API through any replica.
public struct ClusterStatus: Sendable, Codable, Hashable {
    /// The current leadership.
    public struct Leader: Sendable, Codable, Hashable {
        /// The leading replica.
        public var replicaID: String
        /// Its HTTP address.
        public var address: String
        /// The fencing token (its election key's create revision).
        public var fencingToken: Int64
        /// When its term started, from its heartbeat record (nil before the first one).
        public var termStartedAt: Date?
        /// Its last heartbeat record's time.
        public var lastHeartbeatAt: Date?

        /// A leader.
        public init(replicaID: String, address: String, fencingToken: Int64, termStartedAt: Date?, lastHeartbeatAt: Date?) {
            self.replicaID = replicaID
            self.address = address
            self.fencingToken = fencingToken
            self.termStartedAt = termStartedAt
            self.lastHeartbeatAt = lastHeartbeatAt
        }
    }

    /// One live replica.
    public struct Member: Sendable, Codable, Hashable {
        /// Its ID.
        public var replicaID: String
        /// `leader`, `follower` or `stopping`.
        public var role: String
        /// Its etcron version.
        public var version: String
        /// Its HTTP address.
        public var address: String
        /// When it started.
        public var startedAt: Date
        /// When it last rewrote its membership record.
        public var lastHeartbeatAt: Date
        /// Its session lease.
        public var leaseID: Int64

        /// A member.
        public init(replicaID: String, role: String, version: String, address: String, startedAt: Date, lastHeartbeatAt: Date, leaseID: Int64) {
            self.replicaID = replicaID
            self.role = role
            self.version = version
            self.address = address
            self.startedAt = startedAt
            self.lastHeartbeatAt = lastHeartbeatAt
            self.leaseID = leaseID
        }
    }

    /// One leader's term, from its record (``LeaderTerms``).
    public struct Term: Sendable, Codable, Hashable {
        /// The replica that led.
        public var replicaID: String
        /// Its fencing token.
        public var fencingToken: Int64
        /// When its term started.
        public var startedAt: Date

        /// A term.
        public init(replicaID: String, fencingToken: Int64, startedAt: Date) {
            self.replicaID = replicaID
            self.fencingToken = fencingToken
            self.startedAt = startedAt
        }
    }

    /// The leader, if one is elected.
    public var leader: Leader?
    /// Every replica with a live session, by ID.
    public var members: [Member]
    /// The etcd revision this was read at.
    public var revision: Int64
    /// The latest leaders' terms, newest first (at most ``LeaderTerms/kept``).
    public var recentTerms: [Term]

    /// A status.
    public init(leader: Leader?, members: [Member], revision: Int64, recentTerms: [Term] = []) {
        self.leader = leader
        self.members = members
        self.revision = revision
        self.recentTerms = recentTerms
    }

    /// Reads the status at one revision.
    public static func read(client: any EtcdKV, keys: ReplicaKeys) async throws -> ClusterStatus {
        let members = try await client.range(.prefix(keys.members))
        var options = RangeOptions()
        options.revision = members.header.revision
        options.sortTarget = .createRevision
        options.sortOrder = .ascending
        options.limit = 1
        let election = try await client.range(.prefix(keys.election), options: options)
        var heartbeatOptions = RangeOptions()
        heartbeatOptions.revision = members.header.revision
        let heartbeat = try await client.range(.key(keys.leaderHeartbeat), options: heartbeatOptions)

        let terms = try await LeaderTerms.read(client: client, keys: keys, revision: members.header.revision)
        var status = ClusterStatus(leader: nil, members: [], revision: members.header.revision, recentTerms: terms)
        for kv in members.kvs {
            guard let record = try? Etcron_V1_Member(serializedBytes: kv.value) else { continue }
            status.members.append(Member(
                replicaID: record.replicaID, role: record.role.name, version: record.version, address: record.address,
                startedAt: Date(unixMilliseconds: record.startedAtUnixMs),
                lastHeartbeatAt: Date(unixMilliseconds: record.heartbeatAtUnixMs), leaseID: record.leaseID))
        }
        if let key = election.kvs.first, let candidate = try? Etcron_V1_Candidate(serializedBytes: key.value) {
            var leader = Leader(
                replicaID: candidate.replicaID, address: candidate.address, fencingToken: key.createRevision,
                termStartedAt: nil, lastHeartbeatAt: nil)
            if let kv = heartbeat.kvs.first, let beat = try? Etcron_V1_LeaderHeartbeat(serializedBytes: kv.value),
                beat.fencingToken == key.createRevision
            {
                leader.termStartedAt = Date(unixMilliseconds: beat.termStartedAtUnixMs)
                leader.lastHeartbeatAt = Date(unixMilliseconds: beat.writtenAtUnixMs)
            }
            status.leader = leader
        }
        return status
    }
}

extension Etcron_V1_ReplicaRole {
    /// The role as shown to people.
    var name: String {
        switch self {
        case .leader: return "leader"
        case .follower: return "follower"
        case .stopping: return "stopping"
        default: return "unknown"
        }
    }
}

extension Date {
    init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }
}
