import EtcdProto
import Foundation

/// A key-value pair as stored in etcd, with the revisions that make fencing and watches work.
public struct KeyValue: Sendable, Hashable {
    /// The key's bytes.
    public var key: Data
    /// The value's bytes (empty when read keys-only).
    public var value: Data
    /// The revision of the key's last creation.
    public var createRevision: Int64
    /// The revision of the key's last modification.
    public var modRevision: Int64
    /// How many times the key was written since it was created.
    public var version: Int64
    /// The lease the key is attached to, or 0.
    public var lease: Int64

    /// The key as UTF-8 text (keys etcron writes are always text).
    public var keyString: String { String(decoding: key, as: UTF8.self) }
    /// The value as UTF-8 text.
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    /// A record as etcd would return it (tests, fakes, and the revision a writer last saw).
    public init(key: String, value: Data, createRevision: Int64 = 0, modRevision: Int64, version: Int64 = 1, lease: Int64 = 0) {
        self.key = Data(key.utf8)
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    /// No key, no value, no revisions: what a decoder fills in.
    static let empty = KeyValue(key: "", value: Data(), modRevision: 0, version: 0)

    init(_ proto: Mvccpb_KeyValue) {
        key = proto.key
        value = proto.value
        createRevision = proto.createRevision
        modRevision = proto.modRevision
        version = proto.version
        lease = proto.lease
    }
}

/// The header etcd puts on every response: which member answered, at which revision.
public struct ResponseHeader: Sendable, Hashable {
    /// The cluster's ID.
    public var clusterID: UInt64
    /// The member that answered.
    public var memberID: UInt64
    /// The store's revision when the request was applied.
    public var revision: Int64
    /// The raft term at that time.
    public var raftTerm: UInt64

    /// All zero: what a decoder fills in.
    static let empty = ResponseHeader(clusterID: 0, memberID: 0, revision: 0, raftTerm: 0)

    init(clusterID: UInt64, memberID: UInt64, revision: Int64, raftTerm: UInt64) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.revision = revision
        self.raftTerm = raftTerm
    }

    init(_ proto: Etcdserverpb_ResponseHeader) {
        clusterID = proto.clusterID
        memberID = proto.memberID
        revision = proto.revision
        raftTerm = proto.raftTerm
    }
}
