/// Where a replica group keeps its records in etcd, under one configurable prefix.
public struct ReplicaKeys: Sendable, Hashable {
    /// The prefix every etcron key starts with, ending in `/` (default `/etcron/`).
    public let prefix: String

    /// Keys under `prefix` (a trailing `/` is added if missing).
    public init(prefix: String) {
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    /// The election prefix: candidates' keys hang here off their session leases.
    public var election: String { prefix + "election/" }
    /// The prefix of membership records.
    public var members: String { prefix + "members/" }
    /// One replica's membership record.
    public func member(_ replicaID: String) -> String { members + replicaID }
    /// The leader's heartbeat record, written fenced every second.
    public var leaderHeartbeat: String { prefix + "leader" }
}
