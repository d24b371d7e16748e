import EtcdProto
import Foundation

/// Applying writes: transactions as etcd 3.4's `applierV3backend.Txn` applies them, lease
/// revocation and compaction.
extension InMemoryEtcd.State {
    /// One transaction's progress: the revision it started at and the changes it made.
    struct TxnRun {
        let beginRevision: Int64
        var events: [WatchEvent] = []

        /// The revision every change of this transaction gets.
        var writeRevision: Int64 { beginRevision + 1 }
        /// What the transaction's reads see: its own changes once it has made some.
        var readRevision: Int64 { events.isEmpty ? beginRevision : writeRevision }
    }

    /// Checks `txn` as etcd does, then applies it; returns the result and, if it changed
    /// anything, the batch of changes watchers must see.
    mutating func apply(_ txn: Txn, maxTxnOps: Int, maxRequestBytes: Int) throws(EtcdError) -> (TxnResult, InMemoryEtcd.Batch?) {
        try InMemoryEtcd.TxnRules.checkCounts(txn, budget: maxTxnOps)
        try InMemoryEtcd.TxnRules.checkDuplicates(txn.success)
        try InMemoryEtcd.TxnRules.checkDuplicates(txn.failure)
        try InMemoryEtcd.TxnRules.checkSize(txn, limit: maxRequestBytes)
        try checkApplicable(txn, beginRevision: store.revision)

        var run = TxnRun(beginRevision: store.revision)
        var result = execute(txn, &run)
        result.header = InMemoryEtcd.header(revision: run.readRevision, topLevel: true)
        return (result, commit(run))
    }

    /// Makes a run's changes current, if it made any, and logs them for watches.
    private mutating func commit(_ run: TxnRun) -> InMemoryEtcd.Batch? {
        guard !run.events.isEmpty else { return nil }
        store.advance(to: run.writeRevision)
        let batch = InMemoryEtcd.Batch(revision: run.writeRevision, events: run.events)
        log.append(batch)
        return batch
    }

    /// The operations the compares of `txn` choose, judged against the store as of
    /// `revision`: etcd decides every branch, nested ones included, before the first
    /// write, so a nested compare does not see its parent's earlier writes.
    func branch(of txn: Txn, at revision: Int64) -> [TxnOperation] {
        txn.compare.allSatisfy { holds($0, at: revision) } ? txn.success : txn.failure
    }

    /// Runs the chosen branch of `txn` in order. A nested transaction's result has an empty
    /// header, as etcd leaves it; each operation's carries the revision it saw or wrote.
    private mutating func execute(_ txn: Txn, _ run: inout TxnRun) -> TxnResult {
        var result = TxnResult(Etcdserverpb_TxnResponse())
        result.succeeded = txn.compare.allSatisfy { holds($0, at: run.beginRevision) }
        for operation in result.succeeded ? txn.success : txn.failure {
            switch operation {
            case .get(let keys, let options):
                result.responses.append(.range(read(InMemoryEtcd.KeySpan(keys), options, current: run.readRevision, topLevel: false)))
            case .put(let key, let value, let lease, let previous):
                result.responses.append(.put(put(Data(key.utf8), value, lease: lease, previous: previous, &run)))
            case .delete(let keys, let previous):
                result.responses.append(.delete(delete(InMemoryEtcd.KeySpan(keys), previous: previous, &run)))
            case .txn(let nested):
                result.responses.append(.txn(execute(nested, &run)))
            }
        }
        return result
    }

    /// etcd's put: the version counts up from the key's last creation, the lease moves
    /// with the value.
    private mutating func put(_ key: Data, _ value: Data, lease: Int64, previous: Bool, _ run: inout TxnRun) -> PutResult {
        let prior = store.get(key, at: run.readRevision)
        let kv = InMemoryEtcd.keyValue(
            key: key, value: value, createRevision: prior?.createRevision ?? run.writeRevision,
            modRevision: run.writeRevision, version: (prior?.version ?? 0) + 1, lease: lease)
        store.record(key, kv, at: run.writeRevision)
        if let old = prior?.lease, old != 0 { leases[old]?.remove(key) }
        if lease != 0 { leases[lease]?.insert(key) }
        // A watcher's previous value is the key as of the revision before the event, and
        // etcd does not look it up for a creation.
        let watched = kv.version == 1 ? nil : store.get(key, at: run.beginRevision)
        run.events.append(InMemoryEtcd.event(.put, kv, previous: watched))
        var result = PutResult(Etcdserverpb_PutResponse())
        result.header = InMemoryEtcd.header(revision: run.writeRevision, topLevel: false)
        result.previous = previous ? prior : nil
        return result
    }

    /// etcd's delete: every key of `span` that exists (as this transaction sees it) gets a
    /// deletion; the header revision advances only once the transaction changed something.
    private mutating func delete(_ span: InMemoryEtcd.KeySpan, previous: Bool, _ run: inout TxnRun) -> DeleteResult {
        let victims = store.kvs(in: span, at: run.readRevision)
        for victim in victims {
            remove(victim, &run)
        }
        var result = DeleteResult(Etcdserverpb_DeleteRangeResponse())
        result.header = InMemoryEtcd.header(revision: run.readRevision, topLevel: false)
        result.deleted = Int64(victims.count)
        result.previous = previous ? victims : []
        return result
    }

    /// Deletes one existing key: a deletion in its history, its lease let go, and an event
    /// whose key-value holds only the key and the deletion's revision (as etcd sends it).
    private mutating func remove(_ victim: KeyValue, _ run: inout TxnRun) {
        store.record(victim.key, nil, at: run.writeRevision)
        if victim.lease != 0 { leases[victim.lease]?.remove(victim.key) }
        let tombstone = InMemoryEtcd.keyValue(key: victim.key, modRevision: run.writeRevision)
        run.events.append(InMemoryEtcd.event(.delete, tombstone, previous: store.get(victim.key, at: run.beginRevision)))
    }

    /// etcd's `applyCompare`: over a range, every key must satisfy it; with no key, a value
    /// compare fails and the others compare a key-value of zeros.
    func holds(_ compare: Compare, at revision: Int64) -> Bool {
        let kvs = store.kvs(in: InMemoryEtcd.KeySpan(compare.keys), at: revision)
        if kvs.isEmpty {
            if case .value = compare.target { return false }
            return Self.satisfies(compare, InMemoryEtcd.keyValue(key: Data(), modRevision: 0))
        }
        return kvs.allSatisfy { Self.satisfies(compare, $0) }
    }

    private static func satisfies(_ compare: Compare, _ kv: KeyValue) -> Bool {
        let comparison: Int
        switch compare.target {
        case .value(let value): comparison = compareBytes(kv.value, value)
        case .version(let version): comparison = compareNumbers(kv.version, version)
        case .createRevision(let revision): comparison = compareNumbers(kv.createRevision, revision)
        case .modRevision(let revision): comparison = compareNumbers(kv.modRevision, revision)
        case .lease(let lease): comparison = compareNumbers(kv.lease, lease)
        }
        switch compare.op {
        case .equal: return comparison == 0
        case .notEqual: return comparison != 0
        case .greater: return comparison > 0
        case .less: return comparison < 0
        }
    }

    // MARK: Leases and compaction

    /// etcd's lease revocation: the lease's keys are deleted in key order, in one revision.
    mutating func revoke(_ id: Int64) throws(EtcdError) -> InMemoryEtcd.Batch? {
        guard let keys = leases.removeValue(forKey: id) else { throw InMemoryEtcd.leaseNotFound("LeaseRevoke") }
        var run = TxnRun(beginRevision: store.revision)
        for key in keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            if let victim = store.get(key, at: run.readRevision) { remove(victim, &run) }
        }
        return commit(run)
    }

    /// etcd's Compact: only forward, never past the current revision.
    mutating func compact(_ revision: Int64) throws(EtcdError) {
        if revision <= store.compactRevision { throw InMemoryEtcd.compacted("Compact") }
        if revision > store.revision { throw InMemoryEtcd.futureRevision("Compact") }
        store.compact(at: revision)
        log.removeAll { $0.revision < revision }
        // etcd keeps, of the compaction revision itself, only what a read at it needs: each
        // key's last put, not its deletions. A watch from there replays no more than that.
        if let index = log.firstIndex(where: { $0.revision == revision }) {
            let events = log[index].events
            log[index].events = events.enumerated().filter { position, event in
                event.kind == .put && !events[(position + 1)...].contains { $0.kv.key == event.kv.key }
            }.map(\.element)
        }
    }
}
