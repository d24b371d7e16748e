import EtcdProto
import Foundation

extension InMemoryEtcd {
    /// etcd's key bounds: the key alone (empty end), the key and everything after it (end
    /// `\0`), or the half-open `[start, end)`, compared as bytes.
    struct KeySpan: Sendable, Hashable {
        var start: Data
        var end: Data

        init(_ keys: KeyRange) {
            (start, end) = keys.bounds
        }

        var isSingleKey: Bool { end.isEmpty }

        func contains(_ key: Data) -> Bool {
            if end.isEmpty { return key == start }
            if key.lexicographicallyPrecedes(start) { return false }
            return end == Data([0]) || key.lexicographicallyPrecedes(end)
        }
    }

    /// The multi-version key space: every key's history of values and deletions, so that
    /// it can be read as of any revision since the last compaction.
    struct Store: Sendable {
        /// One change of a key: its value from `revision` on, or nil for a deletion.
        /// Several entries may share a revision (a put and a delete in one transaction);
        /// the last one wins.
        struct Entry: Sendable {
            var revision: Int64
            var kv: KeyValue?
        }

        /// The revision of the last change; a fresh etcd is at 1.
        private(set) var revision: Int64 = 1
        /// Reads before this revision are refused; 0 before any compaction.
        private(set) var compactRevision: Int64 = 0
        /// Every key with history, in byte order, for range scans.
        private var keys: [Data] = []
        private var history: [Data: [Entry]] = [:]

        /// `key` as of `revision`.
        func get(_ key: Data, at revision: Int64) -> KeyValue? {
            guard let entries = history[key] else { return nil }
            // Most reads are of the latest state: search from the end.
            for entry in entries.reversed() where entry.revision <= revision {
                return entry.kv
            }
            return nil
        }

        /// The keys of `span` that exist as of `revision`, in key order.
        func kvs(in span: KeySpan, at revision: Int64) -> [KeyValue] {
            if span.isSingleKey {
                return get(span.start, at: revision).map { [$0] } ?? []
            }
            var result: [KeyValue] = []
            var index = firstIndex(notBefore: span.start)
            while index < keys.count, span.contains(keys[index]) {
                if let kv = get(keys[index], at: revision) { result.append(kv) }
                index += 1
            }
            return result
        }

        /// Records a change of `key` at `revision` (which becomes current only with
        /// ``advance(to:)``, so that a transaction's reads choose whether they see it).
        mutating func record(_ key: Data, _ kv: KeyValue?, at revision: Int64) {
            if history[key] == nil {
                keys.insert(key, at: firstIndex(notBefore: key))
            }
            history[key, default: []].append(Entry(revision: revision, kv: kv))
        }

        /// Makes `revision` the current one, once a transaction has recorded its changes.
        mutating func advance(to revision: Int64) {
            self.revision = revision
        }

        /// Drops the history that no read at or after `target` can see: per key, every
        /// entry before the last one at or before `target`, and that one too if it is a
        /// deletion.
        mutating func compact(at target: Int64) {
            compactRevision = target
            for key in keys {
                guard var entries = history[key],
                      let last = entries.lastIndex(where: { $0.revision <= target }) else { continue }
                entries.removeSubrange(..<(entries[last].kv == nil ? last + 1 : last))
                history[key] = entries.isEmpty ? nil : entries
            }
            keys.removeAll { history[$0] == nil }
        }

        /// Binary search: the index of the first key not ordered before `key`.
        private func firstIndex(notBefore key: Data) -> Int {
            var low = 0
            var high = keys.count
            while low < high {
                let middle = (low + high) / 2
                if keys[middle].lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }
}

// MARK: Building the client's value types

extension InMemoryEtcd {
    /// The cluster and member IDs and raft term in top-level headers: fixed values, those
    /// of a default single-member etcd.
    static let clusterID: UInt64 = 14_841_639_068_965_178_418
    static let memberID: UInt64 = 10_276_657_743_932_975_437
    static let raftTerm: UInt64 = 2

    /// A header as etcd fills it: nested results carry only the revision; the top-level
    /// response also the cluster, member and term.
    static func header(revision: Int64, topLevel: Bool) -> ResponseHeader {
        var header = ResponseHeader(Etcdserverpb_ResponseHeader())
        header.revision = revision
        if topLevel {
            header.clusterID = clusterID
            header.memberID = memberID
            header.raftTerm = raftTerm
        }
        return header
    }

    static func keyValue(
        key: Data, value: Data = Data(), createRevision: Int64 = 0, modRevision: Int64, version: Int64 = 0, lease: Int64 = 0
    ) -> KeyValue {
        var kv = KeyValue(Mvccpb_KeyValue())
        kv.key = key
        kv.value = value
        kv.createRevision = createRevision
        kv.modRevision = modRevision
        kv.version = version
        kv.lease = lease
        return kv
    }

    static func event(_ kind: WatchEvent.Kind, _ kv: KeyValue, previous: KeyValue?) -> WatchEvent {
        var event = WatchEvent(Mvccpb_Event())
        event.kind = kind
        event.kv = kv
        event.previous = previous
        return event
    }
}
