import EtcdProto
import Foundation

extension InMemoryEtcd.State {
    /// A top-level Range: checked as etcd's gRPC layer and MVCC store check it, then read
    /// at the current revision.
    func range(_ keys: KeyRange, _ options: RangeOptions) throws(EtcdError) -> RangeResult {
        let span = InMemoryEtcd.KeySpan(keys)
        if span.start.isEmpty { throw InMemoryEtcd.emptyKey("Range") }
        try checkReadRevision(options.revision, current: store.revision, method: "Range")
        return read(span, options, current: store.revision, topLevel: true)
    }

    /// etcd's revision rule for reads: in the future is refused, before the last compaction
    /// too; 0 (or less) reads the current revision.
    func checkReadRevision(_ revision: Int64, current: Int64, method: String) throws(EtcdError) {
        if revision > current { throw InMemoryEtcd.futureRevision(method) }
        if revision > 0 && revision < store.compactRevision { throw InMemoryEtcd.compacted(method) }
    }

    /// etcd's `applierV3backend.Range`, once checked: `count` is every key in range at the
    /// revision read, before the create and mod revision filters prune the results; then
    /// the sort, the limit (`more` when it cut something) and keys-only. `current` is the
    /// revision the reader is at (inside a transaction that has written, the transaction's).
    func read(_ span: InMemoryEtcd.KeySpan, _ options: RangeOptions, current: Int64, topLevel: Bool) -> RangeResult {
        let all = store.kvs(in: span, at: options.revision > 0 ? options.revision : current)
        var result = RangeResult(Etcdserverpb_RangeResponse())
        result.header = InMemoryEtcd.header(revision: current, topLevel: topLevel)
        result.count = Int64(all.count)
        guard !options.countOnly else { return result }
        let filtered = options.minModRevision != 0 || options.maxModRevision != 0
            || options.minCreateRevision != 0 || options.maxCreateRevision != 0
        var kvs = all.filter { kv in
            (options.maxModRevision == 0 || kv.modRevision <= options.maxModRevision)
                && (options.minModRevision == 0 || kv.modRevision >= options.minModRevision)
                && (options.maxCreateRevision == 0 || kv.createRevision <= options.maxCreateRevision)
                && (options.minCreateRevision == 0 || kv.createRevision >= options.minCreateRevision)
        }
        if options.sortOrder == .none && !filtered && options.limit > 0 && kvs.count > Int(options.limit) + 1 {
            // etcd lets the store cut at limit + 1 keys (in key order) before it sorts, unless
            // an explicit order or a filter needs them all: a sort target without an order
            // then sorts only that first slice.
            kvs.removeSubrange((Int(options.limit) + 1)...)
        }
        Self.sort(&kvs, options)
        if options.limit > 0 && kvs.count > Int(options.limit) {
            kvs.removeSubrange(Int(options.limit)...)
            result.more = true
        }
        if options.keysOnly {
            for index in kvs.indices { kvs[index].value = Data() }
        }
        result.kvs = kvs
        return result
    }

    /// etcd's sort: none by default (the store's key order), but a target other than the
    /// key without an order sorts ascending. Ties keep key order, as Go's insertion sort
    /// does for the up to 12 keys it sorts stably.
    private static func sort(_ kvs: inout [KeyValue], _ options: RangeOptions) {
        var order = options.sortOrder
        if order == .none && options.sortTarget != .key { order = .ascending }
        guard order != .none else { return }
        let descending = order == .descending
        kvs.sort { left, right in
            let comparison = compare(left, right, by: options.sortTarget)
            if comparison != 0 { return descending ? comparison > 0 : comparison < 0 }
            return left.key.lexicographicallyPrecedes(right.key)
        }
    }

    private static func compare(_ left: KeyValue, _ right: KeyValue, by target: RangeOptions.SortTarget) -> Int {
        switch target {
        case .key: return compareBytes(left.key, right.key)
        case .value: return compareBytes(left.value, right.value)
        case .version: return compareNumbers(left.version, right.version)
        case .createRevision: return compareNumbers(left.createRevision, right.createRevision)
        case .modRevision: return compareNumbers(left.modRevision, right.modRevision)
        }
    }

    /// Three-way byte comparison (Go's `bytes.Compare`).
    static func compareBytes(_ left: Data, _ right: Data) -> Int {
        if left == right { return 0 }
        return left.lexicographicallyPrecedes(right) ? -1 : 1
    }

    static func compareNumbers(_ left: Int64, _ right: Int64) -> Int {
        left < right ? -1 : (left > right ? 1 : 0)
    }
}
