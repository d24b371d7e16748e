import EtcdClient
import Foundation

extension QuotaBook {
    /// Applies one event of a watch on ``JobKeys/quotas``: a put stores the record, a delete
    /// removes it. Keys outside ``JobKeys/quotas`` are ignored, so events of a wider watch
    /// can be fed in as they come.
    ///
    /// - Returns: the record, when a put stored one that cannot be read; its scope then has
    ///   no record (its tenant falls back to the default). Report it; nothing else is needed.
    public mutating func apply(_ event: WatchEvent, keys: JobKeys) -> CorruptRecord? {
        switch event.kind {
        case .put:
            return apply(put: event.kv, keys: keys)
        case .delete:
            remove(key: event.kv.keyString, keys: keys)
            return nil
        }
    }

    /// Stores the record at `kv` (read or watched); an unreadable one removes its scope's
    /// record and is returned. Keys outside ``JobKeys/quotas`` are ignored.
    public mutating func apply(put kv: KeyValue, keys: JobKeys) -> CorruptRecord? {
        apply(key: kv.keyString, value: kv.value, keys: keys)
    }

    /// Stores the record `value` put at `key`, as ``apply(put:keys:)`` does.
    public mutating func apply(key: String, value: Data, keys: JobKeys) -> CorruptRecord? {
        switch StoredQuota.decode(key: key, value: value, keys: keys) {
        case .success(let stored):
            self[stored.scope] = stored.quota
            return nil
        case .failure(let corrupt):
            if case .quota(let scope)? = RecordKey(key, keys: keys) { self[scope] = nil }
            return corrupt
        case nil:
            return nil
        }
    }

    /// Removes the record stored at `key` (deleted); keys naming no quota are ignored.
    public mutating func remove(key: String, keys: JobKeys) {
        if case .quota(let scope)? = RecordKey(key, keys: keys) { self[scope] = nil }
    }

    /// Reads every quota record at one revision.
    ///
    /// - Returns: the book, the revision it was read at (watch ``JobKeys/quotas`` from
    ///   `revision + 1` to follow it), and the records that cannot be read (left out of the
    ///   book; the caller reports them).
    /// - Throws: ``JobStoreError/Code/etcd`` when etcd fails.
    public static func load(client: any EtcdKV, keys: JobKeys) async throws(JobStoreError) -> (
        book: QuotaBook, revision: Int64, corrupt: [CorruptRecord]
    ) {
        let list = try await QuotaList.read(client: client, keys: keys)
        return (list.book, list.revision, list.corrupt)
    }
}
