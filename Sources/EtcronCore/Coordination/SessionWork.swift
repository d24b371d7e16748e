import EtcdClient

/// Work every replica does while it holds an etcd session (leader or not), such as
/// executing the runs assigned to it. Started with each new session and cancelled when the
/// session ends, so nothing runs on behalf of a lease that is gone.
public protocol SessionWork: Sendable {
    /// Does the work for the session whose lease is `leaseID`; returns only by throwing or
    /// cancellation.
    func run(client: any EtcdKV, leaseID: Int64, replicaID: String, keys: ReplicaKeys) async throws
}
