import EtcdClient
import Foundation
import Logging

/// One term of leadership, handed to the leader-only work: the client, the fence every
/// write must go through, and when the term started.
public struct Leadership: Sendable {
    /// The etcd client (``InMemoryEtcd`` in tests of the leader).
    public let client: any EtcdKV
    /// The election key and its create revision: every write is a Txn fenced on it.
    public let fence: Fence
    /// This replica's ID.
    public let replicaID: String
    /// Where etcron's keys live.
    public let keys: ReplicaKeys
    /// When this replica won.
    public let termStarted: Date
    /// The replica's logger, with the leadership's token in its metadata.
    public let logger: Logger

    /// A term of leadership.
    public init(client: any EtcdKV, fence: Fence, replicaID: String, keys: ReplicaKeys, termStarted: Date, logger: Logger) {
        self.client = client
        self.fence = fence
        self.replicaID = replicaID
        self.keys = keys
        self.termStarted = termStarted
        self.logger = logger
    }

    /// Runs `txn` under the fence.
    /// - Throws: `LeadershipLost` when the fence fails: the caller must stop at once.
    public func commit(_ txn: Txn, timeout: Duration? = nil) async throws -> TxnResult {
        switch try await client.txn(txn, fencedBy: fence, timeout: timeout) {
        case .committed(let result):
            return result
        case .deposed(let revision):
            throw LeadershipLost(reason: "a fenced write was refused at revision \(revision): another replica leads")
        }
    }
}

/// Thrown when leadership ends while leader-only work runs.
public struct LeadershipLost: Error, Sendable, CustomStringConvertible {
    /// Why it ended.
    public var reason: String

    /// An error saying why leadership ended.
    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "leadership lost: \(reason)" }
}

/// Work that only the leader does. `run` is started when the replica wins and cancelled the
/// moment leadership ends; it should return only by throwing (or when cancelled).
public protocol LeaderWork: Sendable {
    /// Does the leader's work for one term.
    func run(_ leadership: Leadership) async throws
}

/// Several leader works run side by side for one term: the term's work ends as soon as
/// any of them ends or fails (the others are cancelled), so no part of a leader runs on
/// after another part found leadership lost.
public struct CombinedLeaderWork: LeaderWork {
    /// The works, each run in its own child task.
    public var works: [any LeaderWork]

    /// Runs `works` together.
    public init(_ works: [any LeaderWork]) {
        self.works = works
    }

    public func run(_ leadership: Leadership) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for work in works {
                group.addTask { try await work.run(leadership) }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
