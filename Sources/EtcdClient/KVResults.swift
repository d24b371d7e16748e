import EtcdProto

/// The result of a range read.
public struct RangeResult: Sendable, Hashable {
    /// The response header (its revision is the revision the read was served at).
    public var header: ResponseHeader
    /// The keys read, in the requested order.
    public var kvs: [KeyValue]
    /// Whether more keys matched than the limit allowed.
    public var more: Bool
    /// How many keys matched in total.
    public var count: Int64

    init(header: ResponseHeader, kvs: [KeyValue], more: Bool, count: Int64) {
        self.header = header
        self.kvs = kvs
        self.more = more
        self.count = count
    }

    init(_ proto: Etcdserverpb_RangeResponse) {
        header = ResponseHeader(proto.header)
        kvs = proto.kvs.map(KeyValue.init)
        more = proto.more
        count = proto.count
    }
}

/// The result of a put.
public struct PutResult: Sendable, Hashable {
    /// The response header; its revision is the put's.
    public var header: ResponseHeader
    /// The previous key-value, when asked for and present.
    public var previous: KeyValue?

    init(header: ResponseHeader, previous: KeyValue?) {
        self.header = header
        self.previous = previous
    }

    init(_ proto: Etcdserverpb_PutResponse) {
        header = ResponseHeader(proto.header)
        previous = proto.hasPrevKv ? KeyValue(proto.prevKv) : nil
    }
}

/// The result of a delete.
public struct DeleteResult: Sendable, Hashable {
    /// The response header.
    public var header: ResponseHeader
    /// How many keys were deleted.
    public var deleted: Int64
    /// The deleted key-values, when asked for.
    public var previous: [KeyValue]

    init(header: ResponseHeader, deleted: Int64, previous: [KeyValue]) {
        self.header = header
        self.deleted = deleted
        self.previous = previous
    }

    init(_ proto: Etcdserverpb_DeleteRangeResponse) {
        header = ResponseHeader(proto.header)
        deleted = proto.deleted
        previous = proto.prevKvs.map(KeyValue.init)
    }
}
