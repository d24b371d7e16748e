import Foundation

/// The etcd key-value operations etcron's records are read and written with: ranges,
/// transactions and watches.
///
/// Everything above the client (the job store, the leader, the executor) holds an
/// `any EtcdKV`, so that its bookkeeping runs against ``InMemoryEtcd`` in tests, in
/// milliseconds and deterministically, as well as against a real etcd through
/// ``EtcdClient`` (the Kubernetes controllers' `injection.go` pattern: the real and the
/// fake implementation side by side). The conveniences (`get`, `put`, `delete`,
/// `rangePaged`, fenced transactions) are built once, in extensions, from these
/// requirements.
public protocol EtcdKV: Sendable {
    /// Reads the keys in `keys`.
    func range(_ keys: KeyRange, options: RangeOptions, timeout: Duration?) async throws(EtcdError) -> RangeResult

    /// Runs a transaction.
    func txn(_ txn: Txn, timeout: Duration?) async throws(EtcdError) -> TxnResult

    /// The events under `keys` from `options.startRevision` on (0: from the next write),
    /// as an endless sequence that ends only with an error or when its consumer is
    /// cancelled.
    func watchStream(_ keys: KeyRange, options: WatchOptions) -> KVWatch
}

extension EtcdKV {
    /// Reads the keys in `keys`.
    public func range(_ keys: KeyRange, options: RangeOptions = RangeOptions()) async throws(EtcdError) -> RangeResult {
        try await range(keys, options: options, timeout: nil)
    }

    /// Runs a transaction.
    public func txn(_ txn: Txn) async throws(EtcdError) -> TxnResult {
        try await self.txn(txn, timeout: nil)
    }

    /// Watches `keys` (see ``watchStream(_:options:)``).
    public func watch(_ keys: KeyRange, options: WatchOptions = WatchOptions()) -> KVWatch {
        watchStream(keys, options: options)
    }

    /// Reads one key; nil if it does not exist.
    public func get(_ key: String, revision: Int64 = 0) async throws(EtcdError) -> KeyValue? {
        var options = RangeOptions()
        options.revision = revision
        return try await range(.key(key), options: options, timeout: nil).kvs.first
    }

    /// Writes `value` at `key` (one put in a transaction).
    @discardableResult
    public func put(_ key: String, value: Data, lease: Int64 = 0) async throws(EtcdError) -> Int64 {
        try await txn(Txn(success: [.put(key, value, lease: lease)]), timeout: nil).header.revision
    }

    /// Deletes the keys in `keys`; returns how many there were.
    @discardableResult
    public func delete(_ keys: KeyRange) async throws(EtcdError) -> Int64 {
        let result = try await txn(Txn(success: [.delete(keys)]), timeout: nil)
        if case .delete(let deleted)? = result.responses.first { return deleted.deleted }
        return 0
    }

    /// Reads every key in `keys` at one consistent revision, `pageSize` keys per request,
    /// handing each page to `body`; returns the revision the whole read was served at.
    /// A prefix of any size is read without holding it all in one response. With
    /// `minModRevision`, only keys changed at or after that revision are returned.
    @discardableResult
    public func rangePaged(
        _ keys: KeyRange, pageSize: Int64 = 1000, keysOnly: Bool = false, revision: Int64 = 0, minModRevision: Int64 = 0,
        body: ([KeyValue]) async throws -> Void
    ) async throws -> Int64 {
        var options = RangeOptions()
        options.minModRevision = minModRevision
        options.limit = max(1, pageSize)
        options.keysOnly = keysOnly
        options.revision = revision
        options.sortOrder = .ascending
        options.sortTarget = .key
        var page = keys
        while true {
            let response = try await range(page, options: options, timeout: nil)
            if options.revision == 0 { options.revision = response.header.revision }
            try await body(response.kvs)
            guard response.more, let last = response.kvs.last, let next = keys.after(last.key) else { return options.revision }
            page = next
        }
    }

    /// Reads every key in `keys` at one consistent revision, page by page.
    public func rangeAll(_ keys: KeyRange, pageSize: Int64 = 1000, keysOnly: Bool = false) async throws -> (revision: Int64, kvs: [KeyValue]) {
        var all: [KeyValue] = []
        let revision = try await rangePaged(keys, pageSize: pageSize, keysOnly: keysOnly) { all += $0 }
        return (revision, all)
    }

    /// Runs `txn` only if `fence` still holds (see ``Fence/guarding(_:)``).
    public func txn(_ txn: Txn, fencedBy fence: Fence, timeout: Duration? = nil) async throws(EtcdError) -> FencedTxnResult {
        let outer = try await self.txn(fence.guarding(txn), timeout: timeout)
        guard outer.succeeded else { return .deposed(revision: outer.header.revision) }
        if txn.compare.isEmpty && txn.failure.isEmpty {
            return .committed(outer)
        }
        guard let inner = outer.responses.first?.txn else {
            throw EtcdError(.internalError, "fenced Txn: etcd returned no nested result")
        }
        return .committed(inner)
    }
}

extension KeyRange {
    /// The key just past this range (etcd's `range_end`; `\0` means to the end), e.g. to
    /// read `.bytes(from:to:)` a part of a prefix.
    public var end: Data { bounds.rangeEnd }

    /// The part of this range strictly after `key` (the next page of a paged read); nil
    /// when nothing of it can follow (a single key).
    func after(_ key: Data) -> KeyRange? {
        let next = key + Data([0])
        switch self {
        case .key:
            return nil
        case .prefix, .range, .fromKey:
            return .bytes(from: next, to: bounds.rangeEnd)
        case .bytes(_, let end):
            return end.isEmpty ? nil : .bytes(from: next, to: end)
        }
    }
}
