import Foundation
import SwiftProtobuf

/// The checks etcd makes before it applies a transaction, ported from etcd 3.4's
/// `etcdserver/api/v3rpc/key.go` (`checkTxnRequest`, `checkIntervals`) and
/// `etcdserver/apply.go` (`checkRequests`), in the order etcd makes them.
extension InMemoryEtcd {
    enum TxnRules {
        /// etcd's `checkTxnRequest`: a level holds at most `budget` of each of compares,
        /// success operations and failure operations; a nested transaction's budget is what
        /// its parent's largest count leaves. Empty keys are refused on the way.
        static func checkCounts(_ txn: Txn, budget: Int) throws(EtcdError) {
            let count = max(txn.compare.count, txn.success.count, txn.failure.count)
            if count > budget {
                throw InMemoryEtcd.tooManyOperations
            }
            for compare in txn.compare where compare.keys.bounds.key.isEmpty {
                throw InMemoryEtcd.emptyKey("Txn")
            }
            for operation in txn.success + txn.failure {
                switch operation {
                case .get(let keys, _), .delete(let keys, _):
                    if keys.bounds.key.isEmpty { throw InMemoryEtcd.emptyKey("Txn") }
                case .put(let key, _, _, _):
                    if key.isEmpty { throw InMemoryEtcd.emptyKey("Txn") }
                case .txn(let nested):
                    try checkCounts(nested, budget: budget - count)
                }
            }
        }

        /// A deleted span as etcd's interval tree holds it: `[start, end)`, with a point
        /// `[key, key + "\0")` for a single key. A from-key delete keeps its literal `\0`
        /// end, so it overlaps no put (etcd's quirk, kept).
        struct Interval {
            var start: Data
            var end: Data

            init(_ keys: KeyRange) {
                let (start, end) = keys.bounds
                self.start = start
                self.end = end.isEmpty ? start + Data([0]) : end
            }

            func contains(_ key: Data) -> Bool {
                !key.lexicographicallyPrecedes(start) && key.lexicographicallyPrecedes(end)
            }
        }

        /// etcd's `checkIntervals` for one branch: no key put twice, and none put where the
        /// same level or a nested transaction deletes. The success and failure branches of
        /// one nested transaction may put the same key (only one of them runs).
        @discardableResult
        static func checkDuplicates(_ operations: [TxnOperation]) throws(EtcdError) -> (puts: Set<Data>, deletes: [Interval]) {
            let duplicate = InMemoryEtcd.duplicateKey
            var deletes: [Interval] = operations.compactMap {
                if case .delete(let keys, _) = $0 { return Interval(keys) }
                return nil
            }
            var puts = Set<Data>()
            for case .txn(let nested) in operations {
                let then = try checkDuplicates(nested.success)
                let otherwise = try checkDuplicates(nested.failure)
                for key in then.puts {
                    if puts.contains(key) || deletes.contains(where: { $0.contains(key) }) { throw duplicate }
                    puts.insert(key)
                }
                for key in otherwise.puts {
                    if puts.contains(key) && !then.puts.contains(key) { throw duplicate }
                    if deletes.contains(where: { $0.contains(key) }) { throw duplicate }
                    puts.insert(key)
                }
                deletes += then.deletes + otherwise.deletes
            }
            for case .put(let key, _, _, _) in operations {
                let bytes = Data(key.utf8)
                if puts.contains(bytes) || deletes.contains(where: { $0.contains(bytes) }) { throw duplicate }
                puts.insert(bytes)
            }
            return (puts, deletes)
        }

        /// etcd's request size limit, measured on the encoded request.
        static func checkSize(_ txn: Txn, limit: Int) throws(EtcdError) {
            let size = (try? txn.wireBytes())?.count ?? 0
            if size > limit {
                throw InMemoryEtcd.requestTooLarge
            }
        }
    }
}

extension InMemoryEtcd.State {
    /// etcd's `checkRequests` over the branches the compares choose (`branch`), nested ones
    /// included: first every put's lease must exist, then every get's revision must be
    /// readable.
    func checkApplicable(_ txn: Txn, beginRevision: Int64) throws(EtcdError) {
        let operations = flatten(txn, at: beginRevision)
        for case .put(_, _, let lease, _) in operations where lease != 0 && leases[lease] == nil {
            throw InMemoryEtcd.leaseNotFound("Txn")
        }
        for case .get(_, let options) in operations where options.revision != 0 {
            try checkReadRevision(options.revision, current: beginRevision, method: "Txn")
        }
    }

    /// The operations that will run, nested transactions' chosen branches expanded.
    private func flatten(_ txn: Txn, at revision: Int64) -> [TxnOperation] {
        branch(of: txn, at: revision).flatMap { operation -> [TxnOperation] in
            if case .txn(let nested) = operation { return flatten(nested, at: revision) }
            return [operation]
        }
    }
}
