import Foundation
import Synchronization

/// A single-node etcd in memory: etcd v3's MVCC key-value semantics (revisions, versions,
/// ranges with every option, transactions with etcd's own validation rules, watches with
/// history, leases) behind ``EtcdKV``, for fast, deterministic tests of code written against
/// `any EtcdKV`.
///
/// What it models, and where it follows etcd 3.4's source (`etcdserver/apply.go`,
/// `mvcc/kvstore_txn.go`, `etcdserver/api/v3rpc/key.go`):
/// - The store revision starts at 1. A transaction that changes something (a put, or a
///   delete that finds a key) advances it by exactly one and all its changes share it; a
///   read-only transaction, or one whose deletes find nothing, does not. Keys keep their
///   whole history, so reads at a past revision see the store as it was then, until
///   ``compact(revision:)``.
/// - Transactions are checked like etcd checks them, in etcd's order: operation counts
///   (see ``maxTxnOps``), empty keys, duplicate keys (`checkIntervals`, whose interval
///   test a from-key delete escapes, so it may delete a key put in the same transaction),
///   request size (see ``maxRequestBytes``), leases of puts and revisions of gets on the
///   branch taken. Every compare, nested ones included, sees the store as it was before
///   the transaction; a `get` inside it sees the transaction's earlier writes. Errors are
///   the ones the real ``EtcdClient`` raises (same code, message and gRPC status).
/// - Responses carry what etcd puts in them: top-level headers have the current revision
///   (after the write, for writes); nested results carry only a revision, nested
///   transactions none at all (etcd leaves their header empty).
/// - Ranges follow etcd's order of work: `count` is taken before the create/mod revision
///   filters; a sort target without an order sorts ascending, but only the first
///   `limit + 1` keys, which etcd's store cuts before sorting.
/// - Watches replay history from a past revision and then deliver live changes, one
///   ``WatchResponse`` per transaction with its events in the order of its operations.
///   A watch may start at the compacted revision but not before it; at that revision etcd
///   (and this model) keeps only each key's last put, not its deletions.
///
/// `InMemoryEtcdConformanceTests` (EtcdClientTests, in the `ClientSuites` group) runs the same scripts
/// against a real etcd and this model and expects identical results.
///
/// What it does not model: time (leases never expire, `timeout`s are ignored, there are no
/// progress notifications), raft and members (`serializable` is ignored, headers carry
/// fixed IDs), auth, and a watch's replay is not grouped into etcd's multi-revision
/// batches (tests should not depend on how responses group events, only on the events).
/// Sorts break ties by key, as etcd's sort does for up to 12 keys (Go's sort is not
/// stable beyond that).
///
/// For tests it adds inspection (``currentRevision``, ``value(of:)``,
/// ``keys(withPrefix:)``, ``txnCount``, ``rangeCount``, ``watcherCount``) and fault
/// injection (``failNextTxns(_:with:at:where:)``, ``failNextRanges(_:with:where:)``,
/// ``failWatches(with:)``, ``pauseTxns(at:where:)``).
public final class InMemoryEtcd: EtcdKV, Sendable {
    /// The most compares, or operations of one branch, a transaction level may hold
    /// (etcd's `--max-txn-ops`). A nested transaction gets what its parent leaves: etcd
    /// checks each level against the budget minus the largest of its parent's compare,
    /// success and failure counts, so under a fence (one compare, one nested Txn) a batch
    /// holds at most `maxTxnOps - 1` operations and `maxTxnOps - 1` compares.
    public let maxTxnOps: Int
    /// The largest transaction, in encoded bytes, accepted (etcd's `--max-request-bytes`).
    /// etcd measures its raft envelope, a few bytes more than the request itself, so a
    /// transaction within a few bytes of the limit may pass here and fail there.
    public let maxRequestBytes: Int

    /// Everything mutable, under one lock: writes are serialized as etcd's apply loop
    /// serializes them, and a watcher registers and replays history in the same critical
    /// section that publishes new changes, so it sees no gap and no duplicate.
    let state: Mutex<State>

    /// An empty store at revision 1.
    /// - Parameters:
    ///   - maxTxnOps: etcd's `--max-txn-ops` (128 by default).
    ///   - maxRequestBytes: etcd's `--max-request-bytes` (1.5 MiB by default).
    public init(maxTxnOps: Int = 128, maxRequestBytes: Int = 1_572_864) {
        self.maxTxnOps = maxTxnOps
        self.maxRequestBytes = maxRequestBytes
        state = Mutex(State())
    }

    // MARK: EtcdKV

    /// Reads the keys in `keys` as etcd's Range does; `timeout` is ignored.
    public func range(_ keys: KeyRange, options: RangeOptions, timeout: Duration?) async throws(EtcdError) -> RangeResult {
        let faults = state.withLock { state in
            state.rangeCount += 1
            return state.rangeFaults.map { ($0.id, $0.predicate) }
        }
        // Predicates run outside the lock, so that one may read this store.
        let matching = Set(faults.filter { $0.1(keys) }.map(\.0))
        return try state.withLock { (state: inout State) throws(EtcdError) -> RangeResult in
            if let error = state.takeRangeFault(matching) { throw error }
            return try state.range(keys, options)
        }
    }

    /// Runs a transaction as etcd does; `timeout` is ignored. Pauses and injected faults
    /// apply here, before or after the transaction is applied.
    public func txn(_ txn: Txn, timeout: Duration?) async throws(EtcdError) -> TxnResult {
        let (gates, faults) = state.withLock { state in
            state.txnCount += 1
            state.gates.removeAll { $0.isOpen }
            return (state.gates, state.txnFaults.map { ($0.id, $0.predicate) })
        }
        let holding = gates.filter { $0.predicate(txn) }
        let matching = Set(faults.filter { $0.1(txn) }.map(\.0))
        for gate in holding where gate.point == .beforeApplying {
            try await gate.hold()
        }
        let (result, wakeups, lostReply) = try state.withLock { (state: inout State) throws(EtcdError) in
            if let error = state.takeTxnFault(matching, at: .beforeApplying) { throw error }
            let (result, batch) = try state.apply(txn, maxTxnOps: maxTxnOps, maxRequestBytes: maxRequestBytes)
            let wakeups = batch.map { state.publish($0) } ?? []
            return (result, wakeups, state.takeTxnFault(matching, at: .afterApplying))
        }
        Wakeup.resumeAll(wakeups)
        for gate in holding where gate.point == .afterApplying {
            try await gate.hold()
        }
        if let lostReply { throw lostReply }
        return result
    }

    /// The changes under `keys` from `options.startRevision` on; 0 starts after the current
    /// revision, as of this call (the real client fixes it when the stream opens, at the
    /// first `next()`: code that must not miss a write passes an explicit start revision).
    /// The sequence ends with `EtcdError.compacted` if its start was compacted, and
    /// returns nil once its task is cancelled; dropping the iterator also unregisters it.
    /// `progressNotify` is ignored.
    public func watchStream(_ keys: KeyRange, options: WatchOptions) -> KVWatch {
        let start = options.startRevision > 0 ? options.startRevision : currentRevision + 1
        return KVWatch(WatchSequence(etcd: self, keys: keys, options: options, start: start))
    }

    // MARK: Leases

    /// Grants a lease and returns its ID. IDs are deterministic (0x7000000000000001, then
    /// counting up); the lease never expires: ``revokeLease(_:)`` ends it, as an expiry would.
    @discardableResult
    public func grantLease(ttl: Int64) -> Int64 {
        state.withLock { state in
            let id = state.nextLeaseID
            state.nextLeaseID += 1
            state.leases[id] = []
            return id
        }
    }

    /// Revokes a lease as etcd does: its keys are deleted in one revision (in key order),
    /// which watchers see as one response. Throws `leaseNotFound` for an unknown lease.
    public func revokeLease(_ id: Int64) throws(EtcdError) {
        let wakeups = try state.withLock { (state: inout State) throws(EtcdError) in
            try state.revoke(id).map { state.publish($0) } ?? []
        }
        Wakeup.resumeAll(wakeups)
    }

    /// Compacts history up to `revision`, as etcd's Compact does: reads and watches before
    /// it then fail with `compacted`. Throws `compacted` if `revision` is not after the
    /// last compaction, `futureRevision` if it is after the current revision.
    public func compact(revision: Int64) throws(EtcdError) {
        try state.withLock { (state: inout State) throws(EtcdError) in try state.compact(revision) }
    }

    // MARK: Inspection

    /// The store's revision: that of the last change, 1 before any.
    public var currentRevision: Int64 { state.withLock { $0.store.revision } }

    /// The revision of the last compaction, 0 before any.
    public var compactedRevision: Int64 { state.withLock { $0.store.compactRevision } }

    /// The current key-value of `key`, nil if it does not exist.
    public func value(of key: String) -> KeyValue? {
        state.withLock { $0.store.get(Data(key.utf8), at: $0.store.revision) }
    }

    /// The keys that exist now and start with `prefix`, in key order.
    public func keys(withPrefix prefix: String) -> [String] {
        state.withLock { state in
            state.store.kvs(in: KeySpan(.prefix(prefix)), at: state.store.revision).map(\.keyString)
        }
    }

    /// Transactions received, refused and failed ones included (`put`, `delete` and fenced
    /// writes are transactions), so a test can assert "one transaction per batch".
    public var txnCount: Int { state.withLock { $0.txnCount } }

    /// Range reads received (`get` and paged reads are ranges).
    public var rangeCount: Int { state.withLock { $0.rangeCount } }

    /// Watches registered and not yet ended, cancelled or dropped.
    public var watcherCount: Int { state.withLock { $0.watchers.count } }
}

extension InMemoryEtcd {
    /// The whole mutable state; see ``InMemoryEtcd/state``.
    struct State: Sendable {
        var store = Store()
        /// Each lease's attached keys.
        var leases: [Int64: Set<Data>] = [:]
        var nextLeaseID: Int64 = 0x7000_0000_0000_0001
        /// Every committed change batch since the last compaction, in revision order, for
        /// watches that start in the past.
        var log: [Batch] = []
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 0
        var txnFaults: [TxnFault] = []
        var rangeFaults: [RangeFault] = []
        var nextFaultID = 0
        var gates: [TxnGate] = []
        var txnCount = 0
        var rangeCount = 0
    }

    /// The changes one write made, all at one revision, in the order they were made.
    struct Batch: Sendable {
        var revision: Int64
        var events: [WatchEvent]
    }
}
