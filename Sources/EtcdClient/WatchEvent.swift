import EtcdProto

/// One change seen by a watch.
public struct WatchEvent: Sendable, Hashable {
    /// What happened to the key.
    public enum Kind: Sendable, Hashable { case put, delete }

    /// Put or delete.
    public var kind: Kind
    /// The key-value after the event (for a delete: the key and the delete's mod revision).
    public var kv: KeyValue
    /// The key-value before the event, when the watch asked for it.
    public var previous: KeyValue?

    /// The revision of the event.
    public var revision: Int64 { kv.modRevision }

    init(kind: Kind, kv: KeyValue, previous: KeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.previous = previous
    }

    init(_ proto: Mvccpb_Event) {
        kind = proto.type == .delete ? .delete : .put
        kv = KeyValue(proto.kv)
        previous = proto.hasPrevKv ? KeyValue(proto.prevKv) : nil
    }
}

/// A batch of events delivered together, or a progress notification (no events).
public struct WatchResponse: Sendable, Hashable {
    /// The events, in revision order.
    public var events: [WatchEvent]
    /// The revision the watch has caught up to: every change up to it has been delivered.
    public var revision: Int64
    /// True for a progress notification (no events, only the revision).
    public var isProgressNotification: Bool { events.isEmpty }
}

/// What a watch covers and from where.
public struct WatchOptions: Sendable, Hashable {
    /// First revision to deliver (0: changes after the watch is created).
    public var startRevision: Int64 = 0
    /// Deliver the previous key-value with each event.
    public var previousKV = false
    /// Ask etcd for periodic progress notifications when idle.
    public var progressNotify = false
    /// Skip put events.
    public var noPut = false
    /// Skip delete events.
    public var noDelete = false

    /// Default options: changes from now on.
    public init(startRevision: Int64 = 0) {
        self.startRevision = startRevision
    }
}
