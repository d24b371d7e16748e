import EtcronCore
/// What a `ReplicaService` needs to know about itself.
public struct ReplicaOptions: Sendable {
    /// This replica's ID (unique in the group).
    public var replicaID: String
    /// Where its HTTP server can be reached, as others should dial it.
    public var address: String
    /// Where etcron's keys live.
    public var keys: ReplicaKeys
    /// The session lease TTL in seconds: a replica that dies is replaced after about this.
    public var leaseTTL: Int64
    /// The work done only while leading, beside the fenced heartbeat every leader writes
    /// (`HeartbeatWork`); nil for the heartbeat alone.
    public var leaderWork: (any LeaderWork)?
    /// The work done by every replica while it holds a session (the executor).
    public var sessionWork: [any SessionWork]
    /// Whether this replica executes runs; recorded in its membership record so the
    /// leader assigns runs only to replicas that do.
    public var executesRuns: Bool
    /// Whether this replica acts on gameday actions addressed to it (step down, freeze,
    /// crash the executor of a run: `gameday-actions`); off by default.
    public var gamedayActions: Bool

    /// Options for one replica.
    public init(replicaID: String, address: String, keys: ReplicaKeys, leaseTTL: Int64 = 10, leaderWork: (any LeaderWork)? = nil,
        sessionWork: [any SessionWork] = [], executesRuns: Bool = true, gamedayActions: Bool = false
    ) {
        self.replicaID = replicaID
        self.address = address
        self.keys = keys
        self.leaseTTL = leaseTTL
        self.leaderWork = leaderWork
        self.sessionWork = sessionWork
        self.executesRuns = executesRuns
        self.gamedayActions = gamedayActions
    }
}
