/// What happened to a lease being kept alive.
public enum LeaseKeepAliveEvent: Sendable, Hashable {
    /// etcd renewed the lease to `ttl` seconds.
    case renewed(ttl: Int64)
    /// The keep-alive stream reported that the etcd member has no raft leader (quorum
    /// loss): the lease cannot be renewed now and may expire. Anyone acting on the lease's
    /// behalf (a leader) should stop.
    case noLeader
    /// The lease is gone: etcd said it expired or was revoked, or it was not renewed before
    /// its TTL ran out. This is the last event.
    case lost(reason: String)
}

/// A lease kept alive on the client's shared keep-alive stream.
public struct LeaseKeepAlive: Sendable {
    /// The lease ID.
    public let id: Int64
    /// Renewals, no-leader notices and, last, the loss of the lease.
    public let events: AsyncStream<LeaseKeepAliveEvent>
    let manager: LeaseKeepAliveManager

    /// Stops renewing the lease (it then expires after its TTL unless revoked).
    public func stop() async {
        await manager.unregister(id)
    }

    /// Sends no renewal until `until` (see ``EtcdSession/pauseRenewals(until:)``).
    public func pause(until: ContinuousClock.Instant) async {
        await manager.pause(id, until: until)
    }

    /// Time until the lease expires unless renewed again, as last known; nil once lost.
    public func remaining() async -> Duration? {
        await manager.remaining(id)
    }
}
