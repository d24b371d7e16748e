import Synchronization

/// What this replica is doing right now, shared by its services and read by the HTTP
/// server (`/readyz`, `/healthz`) and metrics. Updated only by the replica's own services.
public final class ReplicaState: Sendable {
    /// The replica's part in the group.
    public enum Role: String, Sendable, Hashable, Codable {
        /// Not yet connected to etcd or without a session.
        case starting
        /// Holds a session and waits (campaigns) for leadership.
        case follower
        /// Leads: its writes are fenced on `Snapshot.fencingToken`.
        case leader
        /// Shutting down (leadership resigned).
        case stopping
    }

    /// A consistent copy of the state.
    public struct Snapshot: Sendable, Hashable {
        /// This replica's ID.
        public var replicaID: String
        /// Its role.
        public var role: Role = .starting
        /// The lease of its etcd session, 0 while it has none.
        public var leaseID: Int64 = 0
        /// The fencing token while leading (the election key's create revision), else 0.
        public var fencingToken: Int64 = 0
        /// The current leader's replica ID, if known.
        public var leaderID: String?
        /// Why the replica is not ready, if it is not (e.g. "waiting for etcd at ...").
        public var notReadyReason: String? = "starting"

        /// Ready to serve: a live session with etcd.
        public var isReady: Bool { notReadyReason == nil }
    }

    private let state: Mutex<Snapshot>

    /// A state for `replicaID`, starting.
    public init(replicaID: String) {
        state = Mutex(Snapshot(replicaID: replicaID))
    }

    /// The current state.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Changes the state under its lock.
    public func update(_ change: (inout Snapshot) -> Void) {
        state.withLock { change(&$0) }
    }
}
