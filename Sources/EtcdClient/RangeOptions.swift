import EtcdProto

/// Options of a range read; the defaults read the latest values of every key in range.
public struct RangeOptions: Sendable, Hashable {
    /// Sort order of the results.
    public enum SortOrder: Sendable, Hashable { case none, ascending, descending }
    /// What the results are sorted by.
    public enum SortTarget: Sendable, Hashable { case key, version, createRevision, modRevision, value }

    /// Read at this revision (0: the latest).
    public var revision: Int64 = 0
    /// At most this many keys (0: no limit).
    public var limit: Int64 = 0
    /// Omit values.
    public var keysOnly = false
    /// Return only the count.
    public var countOnly = false
    /// Sort order and target.
    public var sortOrder: SortOrder = .none
    /// What to sort by.
    public var sortTarget: SortTarget = .key
    /// Serve from the local member without a quorum read (faster, may be stale).
    public var serializable = false
    /// Only keys created at or after this revision (0: no bound).
    public var minCreateRevision: Int64 = 0
    /// Only keys created at or before this revision (0: no bound).
    public var maxCreateRevision: Int64 = 0
    /// Only keys modified at or after this revision (0: no bound).
    public var minModRevision: Int64 = 0
    /// Only keys modified at or before this revision (0: no bound).
    public var maxModRevision: Int64 = 0

    /// Default options.
    public init() {}

    func apply(to request: inout Etcdserverpb_RangeRequest) {
        request.revision = revision
        request.limit = limit
        request.keysOnly = keysOnly
        request.countOnly = countOnly
        request.serializable = serializable
        request.minCreateRevision = minCreateRevision
        request.maxCreateRevision = maxCreateRevision
        request.minModRevision = minModRevision
        request.maxModRevision = maxModRevision
        switch sortOrder {
        case .none: request.sortOrder = .none
        case .ascending: request.sortOrder = .ascend
        case .descending: request.sortOrder = .descend
        }
        switch sortTarget {
        case .key: request.sortTarget = .key
        case .version: request.sortTarget = .version
        case .createRevision: request.sortTarget = .create
        case .modRevision: request.sortTarget = .mod
        case .value: request.sortTarget = .value
        }
    }
}
