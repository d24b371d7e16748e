/// The fencing token of a leader: its election key and that key's create revision.
///
/// Every write a leader makes goes through `txn(_:fencedBy:)`, which commits only while the
/// key still exists with that create revision. A deposed leader (lease lost, resigned, or
/// frozen past its TTL) fails the compare whatever its clock or its view says.
public struct Fence: Sendable, Hashable {
    /// The leader's election key.
    public let key: String
    /// The key's create revision: the token.
    public let token: Int64

    /// A fence on `key` at `token`.
    public init(key: String, token: Int64) {
        self.key = key
        self.token = token
    }

    /// The compare that holds only while this leadership lasts.
    public var compare: Compare { .createRevision(key, .equal, token) }

    /// `txn` wrapped so that it runs only under this fence. With no compares of its own the
    /// fence joins its compare list; otherwise it becomes a nested transaction, so that a
    /// failed fence and a failed inner compare can be told apart.
    public func guarding(_ txn: Txn) -> Txn {
        if txn.compare.isEmpty && txn.failure.isEmpty {
            return Txn(compare: [compare], success: txn.success)
        }
        return Txn(compare: [compare], success: [.txn(txn)])
    }
}

/// The outcome of a fenced transaction.
public enum FencedTxnResult: Sendable, Hashable {
    /// The fence held; the inner transaction ran with this result (check its `succeeded`).
    case committed(TxnResult)
    /// The fence failed: this leadership is over and nothing was written.
    case deposed(revision: Int64)
}
